package io.memberpulse.identity.domain;

import java.time.Instant;
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
 * Stores count at the event's time ({@link StoresSeen}): only those the value was seen at within the stores window
 * before the event, so a loyal member who shops at a 13th store over the years keeps their phone, while a walk-in
 * phone collects its stores within weeks.
 * <p>
 * Companions tell a placeholder when there are more than {@code maxIdentitiesPerValue} of them in all <em>and</em>
 * more of one type than that type's per-member limit ({@code maxPerMember}): a heavy member's own phone is seen over
 * the years with up to 2 member numbers, 1 UnionID and 3 openids, platform uids and e-mails each (12 in all), all
 * of them one person's; a walk-in phone shows several UnionIDs or member numbers. Types without a per-member limit
 * count only toward the total. Like the per-type limits, only the companions held at the event's time count
 * ({@link Companions}): one last seen with the value longer than the re-issue gap before the event was given up (a
 * member's old card or number), so a member who changed cards and numbers over the years keeps their phone, while a
 * walk-in phone collects its guests within days.
 */
final class PlaceholderDetector {
    private PlaceholderDetector() {
    }

    /**
     * @param stores            the stores each value not quarantined was seen at in earlier batches, and when last,
     *                          updated here with this batch's; the values found are dropped from it
     * @param companions        the other strong identifiers each value was seen with in earlier batches, and when,
     *                          updated here with this batch's ({@link #observe}); the values found are dropped from
     *                          it, being quarantined for good
     * @param quarantinedBefore values quarantined before: nothing more is counted for them
     * @param storesMoved       filled with what this batch moved in {@code stores}: for each value, the stores it was
     *                          seen at for the first time or later than known before, each with its last time in the
     *                          batch (null: unknown)
     */
    static Set<Identifier> detect(List<EventEvidence> events, StitchGuardrails guardrails,
            Map<Identifier, StoresSeen> stores, Map<Identifier, Companions> companions,
            Set<Identifier> quarantinedBefore, Map<Identifier, Map<String, Instant>> storesMoved) {
        Set<Identifier> quarantined = new HashSet<>();
        for (EventEvidence event : events) {
            for (Identifier identifier : event.identifiers()) {
                if (!identifier.type().isStrong() || quarantinedBefore.contains(identifier)) {
                    continue;
                }
                if (guardrails.isBlocked(identifier.value())) {
                    quarantined.add(identifier);
                    continue;
                }
                if (event.storeId() != null && !quarantined.contains(identifier)) {
                    StoresSeen seenAt = stores.computeIfAbsent(identifier, i -> new StoresSeen());
                    if (seenAt.see(event.storeId(), event.occurredAt(), guardrails.maxStoresPerValue() + 1)) {
                        moved(storesMoved, identifier, event.storeId(), event.occurredAt());
                    }
                    if (guardrails.maxStoresPerValue() > 0 && seenAt.tooMany(event.occurredAt(), guardrails)) {
                        quarantined.add(identifier);
                    }
                }
                Companions seenWith = observe(identifier, event, guardrails, companions);
                if (seenWith != null && seenWith.cannotBeOnePersons(event.occurredAt(), guardrails)) {
                    quarantined.add(identifier);
                }
            }
        }
        stores.keySet().removeAll(quarantined);
        companions.keySet().removeAll(quarantined);
        return quarantined;
    }

    /** Keeps the latest time of a store in the batch (null, an unknown time, is the latest: it always counts). */
    private static void moved(Map<Identifier, Map<String, Instant>> storesMoved, Identifier identifier, String store,
            Instant at) {
        Map<String, Instant> moved = storesMoved.computeIfAbsent(identifier, i -> new HashMap<>());
        Instant before = moved.get(store);
        if (!moved.containsKey(store) || before != null && (at == null || at.isAfter(before))) {
            moved.put(store, at);
        }
    }

    /**
     * Records an event already linked (restored from the store) in {@code companions}, as {@link #detect} would have.
     */
    static void observe(EventEvidence event, StitchGuardrails guardrails, Map<Identifier, Companions> companions,
            Set<Identifier> quarantined) {
        for (Identifier identifier : event.identifiers()) {
            if (identifier.type().isStrong() && !quarantined.contains(identifier)
                    && !guardrails.isBlocked(identifier.value())) {
                observe(identifier, event, guardrails, companions);
            }
        }
    }

    /**
     * Adds the event's strong identifiers of other types to the value's companions, seen at the event's time, and drops
     * those that can no longer decide ({@link Companions#prune}).
     *
     * @return the value's companions, or null when none are counted (no other strong identifier, or the limit is off)
     */
    private static Companions observe(Identifier identifier, EventEvidence event, StitchGuardrails guardrails,
            Map<Identifier, Companions> companions) {
        if (guardrails.maxIdentitiesPerValue() <= 0) {
            return null;
        }
        Companions seenWith = companions.get(identifier);
        for (Identifier other : event.identifiers()) {
            if (other.type().isStrong() && other.type() != identifier.type()) {
                if (seenWith == null) {
                    seenWith = new Companions();
                    companions.put(identifier, seenWith);
                }
                seenWith.see(other, event.occurredAt());
            }
        }
        if (seenWith != null) {
            seenWith.prune(guardrails);
        }
        return seenWith;
    }
}
