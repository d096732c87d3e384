package io.memberpulse.identity;

import io.memberpulse.identity.store.EventRow;
import io.memberpulse.identity.store.IdentityRepository;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Batches stitched into the graph whose transaction has not committed yet: an import stitches its
 * next batch while the previous one is written, and the database cannot show the next batch what
 * the previous one holds. Its event keys (re-delivered events must stay duplicates) and order lines
 * (a repeated line must still find its original, an original is paired only once, and the rest of an
 * order split across batches must find the lines it came with) are looked up here as well. Used from the import thread only, under the graph's lock.
 */
final class UnwrittenBatches {
    /** @param retracted stored lines the batch flags as repeating another (duplicateOf set), once it commits */
    /** @param generation the load of the graph it was stitched on ({@link StitchingGraph#generation}) */
    private record Batch(long generation, List<EventRow> rows, List<EventRow> retracted,
            CompletableFuture<?> committed) {
    }

    private final List<Batch> batches = new ArrayList<>();

    void add(long generation, List<EventRow> rows, List<EventRow> retracted, CompletableFuture<?> committed) {
        batches.add(new Batch(generation, rows, retracted, committed));
    }

    /**
     * Forgets batches that committed (a read started after this sees them) or that were stitched on
     * another graph than this one (the graph was rebuilt from the database after their writes ended,
     * whether they committed or not). Call before reading the database.
     */
    void prune(long generation) {
        for (Iterator<Batch> it = batches.iterator(); it.hasNext(); ) {
            Batch batch = it.next();
            boolean committed = batch.committed().isDone() && !batch.committed().isCompletedExceptionally();
            if (committed || batch.generation() != generation) {
                it.remove();
            }
        }
    }

    /** The unwritten events' content (the ChannelEvent's bytes) by key (as {@link IdentityRepository#eventKey}). */
    Map<String, byte[]> events() {
        Map<String, byte[]> events = new HashMap<>();
        for (Batch batch : batches) {
            for (EventRow row : batch.rows()) {
                events.put(IdentityRepository.eventKey(row.source(), row.eventId()), row.payload());
            }
        }
        return events;
    }

    /**
     * The stored order lines near the batch's lines as the database found them (with the lines of their orders
     * and of the batch's), completed with the unwritten ones the same query would find once they are committed:
     * same store, another channel, within the window, neither a duplicate nor the original of one, and every
     * line of those orders and of the batch's; each line once, marked as repeated when an unwritten line repeats it,
     * and as repeating when an unwritten batch retracted it.
     */
    List<EventRow> nearby(List<EventRow> stored, DuplicateOrders.Lines lines, Duration window) {
        Map<String, String> repeatedBy = new HashMap<>();
        Map<String, String> retractedTo = new HashMap<>();
        for (Batch batch : batches) {
            for (EventRow row : batch.rows()) {
                if (row.duplicateOf() != null) {
                    repeatedBy.put(row.duplicateOf(), row.reference());
                }
            }
            for (EventRow row : batch.retracted()) {
                repeatedBy.put(row.duplicateOf(), row.reference());
                retractedTo.put(row.reference(), row.duplicateOf());
            }
        }
        Map<String, EventRow> near = new LinkedHashMap<>();
        for (EventRow row : stored) {
            near.putIfAbsent(row.reference(), marked(row, repeatedBy, retractedTo));
        }
        if (batches.isEmpty()) {
            return new ArrayList<>(near.values());
        }
        Map<String, List<Integer>> linesAtStore = new HashMap<>();
        for (int i = 0; i < lines.stores().size(); i++) {
            linesAtStore.computeIfAbsent(lines.stores().get(i), s -> new ArrayList<>()).add(i);
        }
        Set<String> orders = lines.orderKeys();
        for (Batch batch : batches) {
            for (EventRow row : batch.rows()) {
                if (isOrderLine(row) && row.duplicateOf() == null && !repeatedBy.containsKey(row.reference())
                        && !retractedTo.containsKey(row.reference()) && row.storeId() != null
                        && isNear(row, linesAtStore.get(row.storeId()), lines, window)) {
                    near.putIfAbsent(row.reference(), marked(row, repeatedBy, retractedTo));
                }
            }
        }
        near.values().forEach(row -> orders.add(DuplicateOrders.orderKey(row.source(), row.orderId())));
        for (Batch batch : batches) {
            for (EventRow row : batch.rows()) {
                if (isOrderLine(row) && orders.contains(DuplicateOrders.orderKey(row.source(), row.orderId()))) {
                    near.putIfAbsent(row.reference(), marked(row, repeatedBy, retractedTo));
                }
            }
        }
        return new ArrayList<>(near.values());
    }

    private static boolean isOrderLine(EventRow row) {
        return "order".equals(row.type()) && row.orderId() != null && !row.orderId().isEmpty();
    }

    /**
     * The row, naming the unwritten line that repeats it, or the line it repeats as an unwritten batch retracted it,
     * if the database could not know yet.
     */
    private static EventRow marked(EventRow row, Map<String, String> repeatedBy, Map<String, String> retractedTo) {
        if (row.pairedWith() != null) {
            return row;
        }
        String repeats = retractedTo.get(row.reference());
        if (repeats != null) {
            return row.repeating(repeats);
        }
        String by = repeatedBy.get(row.reference());
        return by == null ? row : row.repeatedBy(by);
    }

    private static boolean isNear(EventRow row, List<Integer> atStore, DuplicateOrders.Lines lines, Duration window) {
        if (atStore == null) {
            return false;
        }
        for (int i : atStore) {
            Instant at = lines.times().get(i);
            if (!lines.sources().get(i).equals(row.source()) && !row.occurredAt().isBefore(at.minus(window))
                    && !row.occurredAt().isAfter(at.plus(window))) {
                return true;
            }
        }
        return false;
    }
}
