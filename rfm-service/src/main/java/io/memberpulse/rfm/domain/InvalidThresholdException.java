package io.memberpulse.rfm.domain;

/** A segment or lifecycle threshold out of range, naming it (the configuration key below memberpulse.rfm). */
public class InvalidThresholdException extends IllegalArgumentException {
    private final String field;

    public InvalidThresholdException(String field, String reason) {
        super(field + " " + reason);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
