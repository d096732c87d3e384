package io.memberpulse.identity.domain;

import java.time.Instant;
import java.util.List;

/**
 * A member with its identifiers, as read: those it holds now (seen from first to last), those it
 * held once and that moved to another member (a re-issued phone), with when that holding ended, and
 * those it holds that were quarantined after they were linked (a walk-in placeholder typed at too many
 * stores): these link nobody and resolve to nobody, so they are kept apart from the identifiers.
 */
public record MemberView(String memberId, Instant createdAt, String mergedInto, long eventCount,
        List<LinkedIdentifier> identifiers, List<PastIdentifier> pastIdentifiers,
        List<LinkedIdentifier> quarantinedIdentifiers) {

    public MemberView(String memberId, Instant createdAt, String mergedInto, long eventCount,
            List<LinkedIdentifier> identifiers) {
        this(memberId, createdAt, mergedInto, eventCount, identifiers, List.of(), List.of());
    }

    public record LinkedIdentifier(IdentifierType type, String value, Instant firstSeen, Instant lastSeen) {
    }

    public record PastIdentifier(IdentifierType type, String value, Instant firstSeen, Instant lastSeen,
            Instant endedAt) {
    }
}
