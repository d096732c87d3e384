package io.memberpulse.identity.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One channel's report of an order as far as it is known: the lines given of one (source, order id),
 * which may be only some of its lines when the rest come in a later batch.
 */
final class ReportedOrder {
    final String source;
    final String storeId;
    final List<OrderDeduplicator.Line> lines = new ArrayList<>();
    private final Map<String, Integer> keys = new HashMap<>();
    Instant at;
    /** The other channel's report of this order, once known; {@code taken} when it is one not given. */
    ReportedOrder partner;
    boolean taken;

    ReportedOrder(OrderDeduplicator.Line first) {
        this.source = first.source();
        this.storeId = first.storeId();
        this.at = first.occurredAt();
    }

    void add(OrderDeduplicator.Line line) {
        lines.add(line);
        keys.merge(line.key(), 1, Integer::sum);
        at = line.occurredAt().isBefore(at) ? line.occurredAt() : at;
    }

    boolean isFree() {
        return partner == null && !taken;
    }

    /**
     * Store and the sorted line keys: two reports of one whole order have the same. From the keys counted in
     * {@link #add}, as formatting a line's key is the costly step.
     */
    String signature() {
        List<String> sorted = new ArrayList<>(lines.size());
        keys.forEach((key, count) -> {
            for (int i = 0; i < count; i++) {
                sorted.add(key);
            }
        });
        sorted.sort(null);
        return storeId + '#' + sorted;
    }

    /** Whether every line of this one (counting repeats) is among the other's lines. */
    boolean isPartOf(ReportedOrder other) {
        for (Map.Entry<String, Integer> key : keys.entrySet()) {
            if (other.keys.getOrDefault(key.getKey(), 0) < key.getValue()) {
                return false;
            }
        }
        return true;
    }

    static void partners(ReportedOrder a, ReportedOrder b) {
        a.partner = b;
        b.partner = a;
    }
}
