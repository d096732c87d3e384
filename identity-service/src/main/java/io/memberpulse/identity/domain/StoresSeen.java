package io.memberpulse.identity.domain;

import java.time.Instant;
import java.util.Arrays;

/**
 * The distinct stores one strong value was seen at, each with the last time it was seen there, for placeholder
 * detection ({@link PlaceholderDetector}). Counted at an event's time: only the stores the value was seen at within
 * the stores window before the event count (a loyal member's phone gathers its stores over years, a walk-in phone
 * within weeks); one seen at an unknown time always counts, and every one counts when the window is off.
 * <p>
 * Bounded like {@link Companions}, yet deciding as every store ever seen would, in whatever order the sightings come:
 * the stores counting at a time are always the most recently seen ones, so whether more than the limit count is told
 * by the limit + 1 most recent; one dropped ranks among them again only when it is seen again, which adds it back
 * (the others' times only rise), so a graph restored from the stored rows, in key order, keeps the same stores. Ties
 * in time are ranked by store id. Not thread-safe, like the graph.
 */
final class StoresSeen {
    /** The time kept for a store seen at an unknown time: it always counts. */
    private static final long ALWAYS = Long.MAX_VALUE;

    private String[] stores = new String[1];
    private long[] lastSeen = new long[1]; // epoch milliseconds, or ALWAYS
    private int size;

    int size() {
        return size;
    }

    /** The stores and when each was last seen, sorted: for comparing two graphs in tests. */
    String describe() {
        java.util.List<String> all = new java.util.ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            all.add(stores[i] + "@" + lastSeen[i]);
        }
        java.util.Collections.sort(all);
        return all.toString();
    }

    /**
     * Records that the value was seen at {@code store} at {@code at} (null: an unknown time), keeping the {@code keep}
     * most recently seen stores.
     *
     * @return whether this moved what is known of the value: a store not kept here before, or seen later than kept
     */
    boolean see(String store, Instant at, int keep) {
        long seen = at == null ? ALWAYS : at.toEpochMilli();
        for (int i = 0; i < size; i++) {
            if (stores[i].equals(store)) {
                if (seen <= lastSeen[i]) {
                    return false;
                }
                lastSeen[i] = seen;
                return true;
            }
        }
        if (size == stores.length) {
            stores = Arrays.copyOf(stores, size * 2);
            lastSeen = Arrays.copyOf(lastSeen, size * 2);
        }
        stores[size] = store;
        lastSeen[size++] = seen;
        if (size > Math.max(1, keep)) { // one past: drop the least recently seen
            int oldest = 0;
            for (int i = 1; i < size; i++) {
                if (newer(oldest, i)) {
                    oldest = i;
                }
            }
            stores[oldest] = stores[--size];
            lastSeen[oldest] = lastSeen[size];
            stores[size] = null;
        }
        return true;
    }

    /** Whether store j ranks before store i: seen later, or at the same time and first by id. */
    private boolean newer(int j, int i) {
        return lastSeen[j] != lastSeen[i] ? lastSeen[j] > lastSeen[i] : stores[j].compareTo(stores[i]) < 0;
    }

    /**
     * Whether the value was seen at more than {@code maxStoresPerValue} stores within the stores window before
     * {@code at} (every store counts when the window is off or {@code at} unknown; one seen after {@code at}, an
     * event imported late, counts too).
     */
    boolean tooMany(Instant at, StitchGuardrails guardrails) {
        if (size <= guardrails.maxStoresPerValue()) {
            return false;
        }
        long from = guardrails.storesWindow() == null || at == null ? Long.MIN_VALUE
                : at.toEpochMilli() - guardrails.storesWindow().toMillis();
        int counted = 0;
        for (int i = 0; i < size; i++) {
            if (lastSeen[i] >= from) {
                counted++;
            }
        }
        return counted > guardrails.maxStoresPerValue();
    }
}
