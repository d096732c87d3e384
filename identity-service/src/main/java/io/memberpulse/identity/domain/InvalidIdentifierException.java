package io.memberpulse.identity.domain;

/** An identifier value that cannot be normalised, naming the field and why. */
public final class InvalidIdentifierException extends RuntimeException {
    private final String field;

    public InvalidIdentifierException(String field, String reason) {
        super(reason);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
