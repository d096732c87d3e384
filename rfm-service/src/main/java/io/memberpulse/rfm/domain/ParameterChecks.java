package io.memberpulse.rfm.domain;

import java.time.Instant;

/**
 * The checks of an id or other short text a caller hands in, shared by REST and gRPC so both refuse
 * the same values before they reach PostgreSQL (which refuses NUL in text: a 500 otherwise). The
 * field is named as the caller spelled it ("memberId" on REST, "member_id" on gRPC).
 */
public final class ParameterChecks {
    /**
     * Longest id accepted, in characters: generous over what exists (member ids are UUIDs, segment ids
     * at most 40 characters, store ids at most 64 in identity-service) and short enough to quote back
     * in a gRPC status description, which travels as an HTTP/2 header.
     */
    public static final int MAX_ID_LENGTH = 128;
    /**
     * The instants a caller may name, REST and gRPC alike: google.protobuf.Timestamp's range, years 0001 to 9999
     * (gRPC bounds its seconds by these; REST the instant).
     */
    public static final Instant EARLIEST_INSTANT = Instant.parse("0001-01-01T00:00:00Z");
    public static final Instant LATEST_INSTANT = Instant.parse("9999-12-31T23:59:59Z");

    private ParameterChecks() {
    }

    /** Required, then as {@link #checkText}. */
    public static void checkId(String field, String id) {
        if (id == null || id.isBlank()) {
            throw new InvalidParameterException(field, "is required");
        }
        checkText(field, id);
    }

    /** Not longer than any id can be, no control characters. */
    public static void checkText(String field, String value) {
        if (value.length() > MAX_ID_LENGTH) {
            throw new InvalidParameterException(field, "is " + value.length() + " characters long, at most "
                    + MAX_ID_LENGTH + " are accepted");
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidParameterException(field, "must not contain control characters");
        }
    }
}
