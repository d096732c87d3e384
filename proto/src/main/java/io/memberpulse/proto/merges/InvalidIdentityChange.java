package io.memberpulse.proto.merges;

/** A member.merges change that cannot be applied, naming the field and why (its record goes to the dead-letter topic). */
public final class InvalidIdentityChange extends IllegalArgumentException {
    private final String field;

    public InvalidIdentityChange(String field, String reason) {
        super(reason);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
