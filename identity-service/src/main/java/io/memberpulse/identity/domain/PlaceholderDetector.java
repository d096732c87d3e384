package io.memberpulse.identity.domain;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the strong values of a batch that cannot be one person's: blocked ones, and those seen at
 * too many distinct stores or with other strong identifiers no one person holds (a walk-in phone typed by
 * till staff for every guest), counted over this batch and every one before it: on the live path a batch
 * is one request or one Kafka poll, often a few events, so a count within the batch alone would never
 * reach the limit.
 * <p>
 * Companions tell a placeholder when there are more than {@code maxIdentitiesPerValue} of them in all <em>and</em>
 * more of one type than that type's per-member limit ({@code maxPerMember}): a heavy member's own phone is seen over
 * the years with up to 2 member numbers, 1 UnionID and 3 openids, platform uids and e-mails each (12 in all), all
 * of them one person's; a walk-in phone shows several UnionIDs or member numbers. Types without a per-member limit
 * count only toward the total.
 */
final class PlaceholderDetector {
    private PlaceholderDetector() {
    }

    /**
     * @param storesBefore      the stores each value was seen at in earlier batches
     * @param companions        the other strong identifiers each value was seen with in earlier batches, updated here
     *                          with this batch's ({@link #observe}); the values found are dropped from it, being
     *                          quarantined for good
     * @param quarantinedBefore values quarantined before: nothing more is counted for them
     */
    static Set<Identifier> detect(List<EventEvidence> events, StitchGuardrails guardrails,
            Map<Identifier, Set<String>> storesBefore, Map<Identifier, Set<Identifier>> companions,
            Set<Identifier> quarantinedBefore) {
        Set<Identifier> quarantined = new HashSet<>();
        Map<Identifier, Set<String>> stores = new HashMap<>();
        for (EventEvidence event : events) {
            for (Identifier identifier : event.identifiers()) {
                if (!identifier.type().isStrong() || quarantinedBefore.contains(identifier)) {
                    continue;
                }
                if (guardrails.isBlocked(identifier.value())) {
                    quarantined.add(identifier);
                    continue;
                }
                if (guardrails.maxStoresPerValue() > 0 && event.storeId() != null) {
                    stores.computeIfAbsent(identifier, i -> new HashSet<>(storesBefore.getOrDefault(i, Set.of())))
                            .add(event.storeId());
                }
                Set<Identifier> seenWith = observe(identifier, event, guardrails, companions);
                if (cannotBeOnePersons(seenWith, guardrails)) {
                    quarantined.add(identifier);
                }
            }
        }
        stores.forEach((identifier, seen) -> {
            if (seen.size() > guardrails.maxStoresPerValue()) {
                quarantined.add(identifier);
            }
        });
        companions.keySet().removeAll(quarantined);
        return quarantined;
    }

    /**
     * Records an event already linked (restored from the store) in {@code companions}, as {@link #detect} would have.
     */
    static void observe(EventEvidence event, StitchGuardrails guardrails, Map<Identifier, Set<Identifier>> companions,
            Set<Identifier> quarantined) {
        for (Identifier identifier : event.identifiers()) {
            if (identifier.type().isStrong() && !quarantined.contains(identifier)
                    && !guardrails.isBlocked(identifier.value())) {
                observe(identifier, event, guardrails, companions);
            }
        }
    }

    /**
     * Whether a value's companions cannot all be one person's: more than the limit in all, and more of some type than
     * one member may hold of it (a type without a per-member limit never decides this).
     */
    static boolean cannotBeOnePersons(Set<Identifier> seenWith, StitchGuardrails guardrails) {
        if (seenWith == null || seenWith.size() <= guardrails.maxIdentitiesPerValue()) {
            return false;
        }
        int[] perType = new int[IdentifierType.values().length];
        for (Identifier companion : seenWith) {
            IdentifierType type = companion.type();
            int typeLimit = guardrails.limitOf(type);
            if (typeLimit > 0 && ++perType[type.ordinal()] > typeLimit) {
                return true;
            }
        }
        return false;
    }

    /**
     * Adds the event's strong identifiers of other types to the value's companions. Bounded, yet the decision of
     * {@link #cannotBeOnePersons} is the one all companions ever seen would give, in whatever order they come (so a
     * graph rebuilt from the stored events decides alike): every companion is kept while there are at most
     * {@code maxIdentitiesPerValue}; past that, one of a type is kept only while that type has no more than its
     * per-member limit (the total is passed for good, so only the type counts still matter; a type without a limit
     * is no longer kept). A set thus holds at most the limit + 1 plus each type's limit + 1; once a type passes its
     * own limit the value is quarantined.
     *
     * @return the value's companions, or null when none are counted (no other strong identifier, or the limit is off)
     */
    private static Set<Identifier> observe(Identifier identifier, EventEvidence event, StitchGuardrails guardrails,
            Map<Identifier, Set<Identifier>> companions) {
        int limit = guardrails.maxIdentitiesPerValue();
        if (limit <= 0) {
            return null;
        }
        Set<Identifier> seenWith = companions.get(identifier);
        for (Identifier other : event.identifiers()) {
            if (other.type().isStrong() && other.type() != identifier.type()) {
                if (seenWith == null) {
                    seenWith = new CompactSet<>();
                    companions.put(identifier, seenWith);
                }
                if (seenWith.size() <= limit || withinTypeLimit(seenWith, other.type(), guardrails)) {
                    seenWith.add(other);
                }
            }
        }
        return seenWith;
    }

    /** Whether the companions hold no more values of the type than one member may (false for a type without a limit). */
    private static boolean withinTypeLimit(Set<Identifier> seenWith, IdentifierType type, StitchGuardrails guardrails) {
        int typeLimit = guardrails.limitOf(type);
        if (typeLimit <= 0) {
            return false;
        }
        int held = 0;
        for (Identifier companion : seenWith) {
            if (companion.type() == type && ++held > typeLimit) {
                return false;
            }
        }
        return true;
    }
}
