package io.memberpulse.identity.domain;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the strong values of a batch that cannot be one person's: blocked ones, and those seen at
 * too many distinct stores (in this batch and earlier imports) or with too many distinct other
 * strong identifiers in this batch (a walk-in phone typed by till staff for every guest).
 */
final class PlaceholderDetector {
    private PlaceholderDetector() {
    }

    /** @param storesBefore the stores each value was seen at in earlier imports */
    static Set<Identifier> detect(List<EventEvidence> events, StitchGuardrails guardrails,
            Map<Identifier, Set<String>> storesBefore) {
        Set<Identifier> quarantined = new HashSet<>();
        Map<Identifier, Set<String>> stores = new HashMap<>();
        Map<Identifier, Set<Identifier>> companions = new HashMap<>();
        for (EventEvidence event : events) {
            for (Identifier identifier : event.identifiers()) {
                if (!identifier.type().isStrong()) {
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
                if (guardrails.maxIdentitiesPerValue() > 0) {
                    for (Identifier other : event.identifiers()) {
                        if (other.type().isStrong() && other.type() != identifier.type()) {
                            companions.computeIfAbsent(identifier, i -> new HashSet<>()).add(other);
                        }
                    }
                }
            }
        }
        stores.forEach((identifier, seen) -> {
            if (seen.size() > guardrails.maxStoresPerValue()) {
                quarantined.add(identifier);
            }
        });
        companions.forEach((identifier, seen) -> {
            if (seen.size() > guardrails.maxIdentitiesPerValue()) {
                quarantined.add(identifier);
            }
        });
        return quarantined;
    }
}
