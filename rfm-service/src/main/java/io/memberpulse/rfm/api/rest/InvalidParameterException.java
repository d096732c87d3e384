package io.memberpulse.rfm.api.rest;

/** A request parameter refused (HTTP 400), naming the parameter and why. */
class InvalidParameterException extends RuntimeException {
    private final String field;

    InvalidParameterException(String field, String reason) {
        super(reason);
        this.field = field;
    }

    String field() {
        return field;
    }
}
