package io.memberpulse.rfm.domain;

import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A change of identity from identity-service: two members found to be one (Merge) or one undone into
 * several (Split). Either way the facts move and every member involved is recomputed.
 */
public sealed interface IdentityChange {

    /** Identifies the change, so that a re-delivery is recognised and changes nothing. */
    String key();

    /** Every member whose facts this change moves. */
    Set<String> membersInvolved();

    /** The absorbed member's facts and state become the survivor's. */
    record Merge(String survivingMemberId, String absorbedMemberId, Instant at) implements IdentityChange {
        public Merge {
            require(survivingMemberId, "surviving_member_id");
            require(absorbedMemberId, "absorbed_member_id");
            Objects.requireNonNull(at, "at");
            if (survivingMemberId.equals(absorbedMemberId)) {
                throw new InvalidIdentityChangeException("absorbed_member_id: equals surviving_member_id " + survivingMemberId);
            }
        }

        @Override
        public String key() {
            return "merge:" + absorbedMemberId + ">" + survivingMemberId + "@" + at;
        }

        @Override
        public Set<String> membersInvolved() {
            return new LinkedHashSet<>(List.of(survivingMemberId, absorbedMemberId));
        }
    }

    /** Each part's events (by source and event id) move from the original member to the part's member. */
    record Split(String originalMemberId, List<Part> parts, Instant at) implements IdentityChange {
        public Split {
            require(originalMemberId, "original_member_id");
            Objects.requireNonNull(at, "at");
            if (parts == null || parts.isEmpty()) {
                throw new InvalidIdentityChangeException("parts: a split needs at least one part");
            }
            parts = List.copyOf(parts);
            Set<EventKey> seen = new HashSet<>();
            for (Part part : parts) {
                for (EventKey key : part.eventKeys()) {
                    if (!seen.add(key)) {
                        throw new InvalidIdentityChangeException("parts: event " + key + " is given to two members");
                    }
                }
            }
        }

        @Override
        public String key() {
            return "split:" + originalMemberId + "@" + at;
        }

        @Override
        public Set<String> membersInvolved() {
            Set<String> members = new LinkedHashSet<>();
            members.add(originalMemberId);
            parts.forEach(part -> members.add(part.memberId()));
            return members;
        }
    }

    record Part(String memberId, List<EventKey> eventKeys) {
        public Part {
            require(memberId, "parts.member_id");
            eventKeys = List.copyOf(eventKeys);
        }
    }

    private static void require(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new InvalidIdentityChangeException(field + ": is required");
        }
    }
}
