package io.memberpulse.identity.domain;

import java.time.Instant;
import java.util.List;

/**
 * A member with its identifiers, as read: those it holds now (seen from first to last) and those it
 * held once and that moved to another member (a re-issued phone), with when that holding ended.
 */
public record MemberView(String memberId, Instant createdAt, String mergedInto, long eventCount,
        List<LinkedIdentifier> identifiers, List<PastIdentifier> pastIdentifiers) {

    public MemberView(String memberId, Instant createdAt, String mergedInto, long eventCount,
            List<LinkedIdentifier> identifiers) {
        this(memberId, createdAt, mergedInto, eventCount, identifiers, List.of());
    }

    public record LinkedIdentifier(IdentifierType type, String value, Instant firstSeen, Instant lastSeen) {
    }

    public record PastIdentifier(IdentifierType type, String value, Instant firstSeen, Instant lastSeen,
            Instant endedAt) {
    }
}
