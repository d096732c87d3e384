package io.memberpulse.rfm.domain;

/**
 * A request parameter or field refused, naming it (as the caller spelled it: "asOf" on REST,
 * "as_of" on gRPC) and why: HTTP 400 problem+json, gRPC INVALID_ARGUMENT "field: reason".
 */
public final class InvalidParameterException extends RuntimeException {
    private final String field;

    public InvalidParameterException(String field, String reason) {
        super(reason);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
