package io.memberpulse.identity.domain;

import java.time.Instant;
import java.util.List;

/** A member with its identifiers, as read. */
public record MemberView(String memberId, Instant createdAt, String mergedInto, long eventCount,
        List<LinkedIdentifier> identifiers) {

    public record LinkedIdentifier(IdentifierType type, String value, Instant firstSeen, Instant lastSeen) {
    }
}
