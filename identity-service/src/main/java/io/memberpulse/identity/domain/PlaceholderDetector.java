package io.memberpulse.identity.domain;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the strong values of a batch that cannot be one person's: blocked ones, and those seen at
 * too many distinct stores or with too many distinct other strong identifiers (a walk-in phone typed by
 * till staff for every guest), counted over this batch and every one before it: on the live path a batch
 * is one request or one Kafka poll, often a few events, so a count within the batch alone would never
 * reach the limit.
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
                if (seenWith != null && seenWith.size() > guardrails.maxIdentitiesPerValue()) {
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
     * Adds the event's strong identifiers of other types to the value's companions. A set grows to one past the limit
     * at most: that is all the limit asks, and the value is quarantined then.
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
                } else if (seenWith.size() > limit) {
                    break;
                }
                seenWith.add(other);
            }
        }
        return seenWith;
    }
}
