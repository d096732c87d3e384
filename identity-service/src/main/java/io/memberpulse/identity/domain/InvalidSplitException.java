package io.memberpulse.identity.domain;

/** A split request that cannot be carried out, naming the field and why. */
public final class InvalidSplitException extends RuntimeException {
    private final String field;

    public InvalidSplitException(String field, String reason) {
        super(reason);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
