package io.memberpulse.proto.merges;

import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.Source;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A change of identity from identity-service (member.merges): two members found to be one (Merge), one undone into
 * several (Split), or a member erased at their request (Erasure). Each consuming service moves, or for an erasure
 * deletes, its member facts (see its store.IdentityChangeRepository).
 */
public sealed interface IdentityChange {

    /** Identifies the change, so that a re-delivery is recognised and moves nothing. */
    String key();

    /** Every member named by the change. */
    Set<String> membersNamed();

    /** The absorbed member's facts become the survivor's; the absorbed member is no longer scored. */
    record Merge(String survivingMemberId, String absorbedMemberId, Instant at) implements IdentityChange {
        public Merge {
            require(survivingMemberId, "merged.surviving_member_id");
            require(absorbedMemberId, "merged.absorbed_member_id");
            Objects.requireNonNull(at, "at");
            if (survivingMemberId.equals(absorbedMemberId)) {
                throw new InvalidIdentityChange("merged.absorbed_member_id", "equals surviving_member_id " + survivingMemberId);
            }
        }

        @Override
        public String key() {
            return "merge:" + absorbedMemberId + ">" + survivingMemberId + "@" + at;
        }

        @Override
        public Set<String> membersNamed() {
            return new LinkedHashSet<>(List.of(survivingMemberId, absorbedMemberId));
        }
    }

    /** Each part's events (by source and event id) move to the part's member, wherever they are now. */
    record Split(String originalMemberId, List<Part> parts, Instant at) implements IdentityChange {
        public Split {
            require(originalMemberId, "split.original_member_id");
            Objects.requireNonNull(at, "at");
            if (parts == null || parts.isEmpty()) {
                throw new InvalidIdentityChange("split.parts", "a split needs at least one part");
            }
            parts = List.copyOf(parts);
            Set<EventKey> seen = new HashSet<>();
            for (Part part : parts) {
                for (EventKey key : part.eventKeys()) {
                    if (!seen.add(key)) {
                        throw new InvalidIdentityChange("split.parts", "event " + key + " is given to two members");
                    }
                }
            }
        }

        @Override
        public String key() {
            return "split:" + originalMemberId + "@" + at;
        }

        @Override
        public Set<String> membersNamed() {
            Set<String> members = new LinkedHashSet<>();
            members.add(originalMemberId);
            parts.forEach(part -> members.add(part.memberId()));
            return members;
        }
    }

    /**
     * The member and every member merged into it are erased: a consumer deletes (or, where a count must stay honest,
     * anonymises) what it keeps under {@link #membersNamed()} and remembers those ids, so that a late or replayed fact
     * naming one of them is dropped. Applying it twice changes nothing.
     */
    record Erasure(String memberId, List<String> absorbedMemberIds, Instant at) implements IdentityChange {
        public Erasure {
            require(memberId, "erased.member_id");
            Objects.requireNonNull(at, "at");
            absorbedMemberIds = List.copyOf(absorbedMemberIds);
            for (String absorbed : absorbedMemberIds) {
                require(absorbed, "erased.absorbed_member_ids");
                if (absorbed.equals(memberId)) {
                    throw new InvalidIdentityChange("erased.absorbed_member_ids", "names member_id " + memberId);
                }
            }
        }

        @Override
        public String key() {
            return "erase:" + memberId;
        }

        @Override
        public Set<String> membersNamed() {
            Set<String> members = new LinkedHashSet<>();
            members.add(memberId);
            members.addAll(absorbedMemberIds);
            return members;
        }
    }

    record Part(String memberId, List<EventKey> eventKeys) {
        public Part {
            require(memberId, "split.parts.member_id");
            eventKeys = List.copyOf(eventKeys);
        }
    }

    /**
     * What identifies a fact everywhere in memberpulse: its channel, spelled as the services store it (pos, miniapp, ...),
     * and its event id within that channel.
     */
    record EventKey(String source, String eventId) {
        public EventKey {
            if (source == null || source.isBlank() || eventId == null || eventId.isBlank()) {
                throw new InvalidIdentityChange("split.parts.event_keys", "needs a source and an event id, got "
                        + source + ":" + eventId);
            }
        }

        /** Reads "source:event_id" (the event id may itself contain ':'); "SOURCE_POS" reads as "pos". */
        public static EventKey parse(String text) {
            int colon = text == null ? -1 : text.indexOf(':');
            if (colon <= 0 || colon == text.length() - 1) {
                throw new InvalidIdentityChange("split.parts.event_keys", "'" + text + "' is not source:event_id");
            }
            return new EventKey(normalSource(text.substring(0, colon)), text.substring(colon + 1));
        }

        /**
         * A source as the services store it: "pos" for "pos", "POS" or "SOURCE_POS" (the proto enum's name), so a
         * split's keys and the events of member.events name their source alike.
         */
        public static String normalSource(String source) {
            String lower = source.trim().toLowerCase(Locale.ROOT);
            return lower.startsWith("source_") ? lower.substring("source_".length()) : lower;
        }

        /**
         * The source of an event as the services store it. A value this build does not know (identity-service was
         * deployed with a new channel before this consumer) is "unknown_" and its number: the enum would name every
         * such source "unrecognized", and two new channels' events with one event_id would be one event.
         */
        public static String sourceOf(ChannelEvent event) {
            return event.getSource() == Source.UNRECOGNIZED
                    ? "unknown_" + event.getSourceValue() : normalSource(event.getSource().name());
        }

        /** The channel of an order MemberEvent.counted_order names, spelt as {@link #sourceOf(ChannelEvent)} spells it. */
        public static String sourceOf(io.memberpulse.proto.identity.v1.OrderRef order) {
            return order.getSource() == Source.UNRECOGNIZED
                    ? "unknown_" + order.getSourceValue() : normalSource(order.getSource().name());
        }

        @Override
        public String toString() {
            return source + ":" + eventId;
        }
    }

    private static void require(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new InvalidIdentityChange(field, "is required");
        }
    }
}
