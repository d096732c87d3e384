package io.memberpulse.churn.domain;

/** An input refused by a domain rule, naming the field and why. */
public final class InvalidInputException extends RuntimeException {
    private final String field;

    public InvalidInputException(String field, String reason) {
        super(reason);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
