package io.memberpulse.identity.domain;

import java.util.Objects;

/** A normalised identifier value (phones in E.164, e-mails in lower case). */
public record Identifier(IdentifierType type, String value) {
    public Identifier {
        Objects.requireNonNull(type, "type");
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(type.code() + " must not be blank");
        }
    }

    @Override
    public String toString() {
        return type.code() + ":" + value;
    }
}
