package io.memberpulse.identity.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Finds the same order reported by two channels (a delivery order the store also rings up at its
 * till minutes later): other source, event ids and order id, but the same store, the same lines
 * (product, quantity, amount) and a time within the window. Each order is a duplicate of at most one
 * other; the later report is the duplicate, so the order is counted once. Two reports that name different people
 * (each a member number, UnionID, full phone or e-mail of a type the other names too, none shared) are two orders,
 * however alike: two members buying the same latte at one store within the hour.
 * <p>
 * An import sees an order in part when its lines are split across batches (the 5,000-row cut, Kafka
 * polls, one line per request), so lines already paired say which order is whose, and a report known
 * only in part is paired with the one other report that holds all its lines.
 */
public final class OrderDeduplicator {
    /** {@link Line#pairedWith} of a line not paired yet. */
    public static final int UNPAIRED = -1;
    /** {@link Line#pairedWith} of a line paired with one not given: its order is taken. */
    public static final int PAIRED_ELSEWHERE = -2;

    /**
     * One order line as reported; {@code index} is its position in the caller's list, {@code pairedWith}
     * the index of the line it was paired with before (a stored line), {@link #UNPAIRED} or {@link #PAIRED_ELSEWHERE}.
     */
    public record Line(int index, String source, String orderId, String storeId, Instant occurredAt, String sku,
            double quantity, double paidAmount, int pairedWith) {
        public Line {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(orderId, "orderId");
            Objects.requireNonNull(occurredAt, "occurredAt");
        }

        /** A line not paired before. */
        public Line(int index, String source, String orderId, String storeId, Instant occurredAt, String sku,
                double quantity, double paidAmount) {
            this(index, source, orderId, storeId, occurredAt, sku, quantity, paidAmount, UNPAIRED);
        }

        /** Product, quantity to 3 and amount to 2 decimals, as {@code %.3f} and {@code %.2f} print them (half up). */
        String key() {
            return (sku == null ? "" : sku) + '|' + decimals(quantity, 3) + '|' + decimals(paidAmount, 2);
        }

        /** Without a Formatter per call, which made this the costliest step of finding duplicate orders. */
        private static String decimals(double value, int scale) {
            if (!Double.isFinite(value) || value == 0 && 1 / value < 0) { // NaN, infinities and -0.0 as %f prints them
                return String.format(Locale.ROOT, "%." + scale + "f", value);
            }
            return BigDecimal.valueOf(value).setScale(scale, RoundingMode.HALF_UP).toPlainString();
        }
    }

    /** Line {@code original} (first reported) and line {@code duplicate} (the later report of it). */
    public record Pair(Line original, Line duplicate) {
    }

    private OrderDeduplicator() {
    }

    /**
     * The identifier types that name one person whichever channel reports them. Not openid nor platform uid: one
     * person has one per mini-program or platform, so two channels' reports of one order differ in them.
     */
    static final Set<IdentifierType> PERSON_TYPES = EnumSet.of(IdentifierType.MEMBER_NO, IdentifierType.UNION_ID,
            IdentifierType.PHONE, IdentifierType.EMAIL);

    /** The pairs of lines not paired before, whoever bought them. */
    public static List<Pair> duplicates(List<Line> lines, Duration window) {
        return duplicates(lines, window, index -> List.of());
    }

    /**
     * The pairs of lines not paired before.
     *
     * @param window   how far apart two reports of one order may be
     * @param buyerOf  the identifiers of the buyer of the line at an index, placeholders left out (a till's walk-in
     *                 phone names nobody); asked only of orders alike enough to pair, as normalising them costs
     */
    public static List<Pair> duplicates(List<Line> lines, Duration window, IntFunction<List<Identifier>> buyerOf) {
        Map<Integer, ReportedOrder> orderOf = new HashMap<>();
        List<ReportedOrder> orders = orders(lines, orderOf, buyerOf);
        for (ReportedOrder order : orders) { // paired before: the rest of its lines can only be the partner's
            for (Line line : order.lines) {
                if (line.pairedWith() == UNPAIRED) {
                    continue;
                }
                ReportedOrder other = orderOf.get(line.pairedWith());
                if (other == null || other == order) {
                    order.taken = true;
                } else if (order.isFree() && other.isFree()) {
                    ReportedOrder.partners(order, other);
                }
            }
        }
        pairWholeOrders(orders, window);
        pairPartOrders(orders, window);
        List<Pair> pairs = new ArrayList<>();
        Set<ReportedOrder> done = new HashSet<>();
        for (ReportedOrder order : orders) { // the earlier report is the original; at the same time the one given first
            ReportedOrder other = order.partner;
            if (other != null && done.add(order) && done.add(other)) {
                boolean first = !other.at.isBefore(order.at);
                pairLines(first ? order : other, first ? other : order, pairs);
            }
        }
        pairs.sort(Comparator.comparingInt(p -> p.duplicate().index()));
        return pairs;
    }

    private static List<ReportedOrder> orders(List<Line> lines, Map<Integer, ReportedOrder> orderOf,
            IntFunction<List<Identifier>> buyerOf) {
        Map<String, ReportedOrder> byOrder = new LinkedHashMap<>();
        for (Line line : lines) {
            if (line.storeId() != null && !line.storeId().isBlank()) {
                ReportedOrder order = byOrder.computeIfAbsent(line.source() + '\u0000' + line.orderId(),
                        k -> new ReportedOrder(line, buyerOf));
                order.add(line);
                orderOf.put(line.index(), order);
            }
        }
        return new ArrayList<>(byOrder.values());
    }

    /** Orders whose lines are all alike: each with the next one in time from another channel. */
    private static void pairWholeOrders(List<ReportedOrder> orders, Duration window) {
        Map<String, List<ReportedOrder>> bySignature = new HashMap<>();
        for (ReportedOrder order : orders) {
            if (order.isFree()) {
                bySignature.computeIfAbsent(order.signature(), k -> new ArrayList<>()).add(order);
            }
        }
        for (List<ReportedOrder> same : bySignature.values()) {
            same.sort(Comparator.comparing(o -> o.at));
            for (int i = 0; i < same.size(); i++) {
                ReportedOrder original = same.get(i);
                for (int j = i + 1; j < same.size() && original.isFree(); j++) {
                    ReportedOrder later = same.get(j);
                    if (Duration.between(original.at, later.at).compareTo(window) > 0) {
                        break;
                    }
                    if (later.isFree() && !later.source.equals(original.source) && !original.namesAnotherPerson(later)) {
                        ReportedOrder.partners(original, later);
                    }
                }
            }
        }
    }

    /**
     * A report whose lines are all among another's (the rest of one of them is still to come) is paired
     * with it when each is the other's only such candidate: two candidates say nothing about which.
     */
    private static void pairPartOrders(List<ReportedOrder> orders, Duration window) {
        Map<String, List<ReportedOrder>> byStore = new HashMap<>();
        for (ReportedOrder order : orders) {
            if (order.isFree()) {
                byStore.computeIfAbsent(order.storeId, k -> new ArrayList<>()).add(order);
            }
        }
        Map<ReportedOrder, List<ReportedOrder>> candidates = new HashMap<>();
        for (List<ReportedOrder> atStore : byStore.values()) {
            atStore.sort(Comparator.comparing(o -> o.at));
            for (int i = 0; i < atStore.size(); i++) {
                ReportedOrder a = atStore.get(i);
                for (int j = i + 1; j < atStore.size(); j++) {
                    ReportedOrder b = atStore.get(j);
                    if (Duration.between(a.at, b.at).compareTo(window) > 0) {
                        break;
                    }
                    if (!a.source.equals(b.source) && (a.isPartOf(b) || b.isPartOf(a)) && !a.namesAnotherPerson(b)) {
                        candidates.computeIfAbsent(a, k -> new ArrayList<>()).add(b);
                        candidates.computeIfAbsent(b, k -> new ArrayList<>()).add(a);
                    }
                }
            }
        }
        candidates.forEach((order, found) -> {
            ReportedOrder other = found.get(0);
            if (found.size() == 1 && candidates.get(other).size() == 1 && order.isFree() && other.isFree()) {
                ReportedOrder.partners(order, other);
            }
        });
    }

    /** Pairs the lines of two reports of one order not paired yet, alike with alike. */
    private static void pairLines(ReportedOrder original, ReportedOrder later, List<Pair> pairs) {
        Map<String, List<Line>> waiting = new HashMap<>();
        for (Line line : later.lines) {
            if (line.pairedWith() == UNPAIRED) {
                waiting.computeIfAbsent(line.key(), k -> new ArrayList<>()).add(line);
            }
        }
        for (Line line : original.lines) {
            List<Line> candidates = line.pairedWith() == UNPAIRED ? waiting.get(line.key()) : null;
            if (candidates != null && !candidates.isEmpty()) {
                pairs.add(new Pair(line, candidates.remove(0)));
            }
        }
    }
}
