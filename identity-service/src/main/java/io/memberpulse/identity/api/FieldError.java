package io.memberpulse.identity.api;

/** Why one field of one event was refused. */
public record FieldError(String field, String reason) {
    @Override
    public String toString() {
        return field + ": " + reason;
    }
}
