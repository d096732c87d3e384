package io.memberpulse.identity.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Finds the same order reported by two channels (a delivery order the store also rings up at its
 * till minutes later): other source, event ids and order id, but the same store, the same lines
 * (product, quantity, amount) and a time within the window. Each order is a duplicate of at most one
 * other; the later report is the duplicate, so the order is counted once.
 */
public final class OrderDeduplicator {

    /** One order line as reported; {@code index} is its position in the caller's list. */
    public record Line(int index, String source, String orderId, String storeId, Instant occurredAt, String sku,
            double quantity, double paidAmount) {
        public Line {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(orderId, "orderId");
            Objects.requireNonNull(occurredAt, "occurredAt");
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

    private record Order(String source, String orderId, String storeId, Instant at, List<Line> lines, String signature) {
    }

    private OrderDeduplicator() {
    }

    /** @param window how far apart two reports of one order may be */
    public static List<Pair> duplicates(List<Line> lines, Duration window) {
        Map<String, List<Line>> byOrder = new LinkedHashMap<>();
        for (Line line : lines) {
            if (line.storeId() != null && !line.storeId().isBlank()) {
                byOrder.computeIfAbsent(line.source() + '\u0000' + line.orderId(), k -> new ArrayList<>()).add(line);
            }
        }
        Map<String, List<Order>> bySignature = new HashMap<>();
        for (List<Line> orderLines : byOrder.values()) {
            Line first = orderLines.get(0);
            Instant at = orderLines.stream().map(Line::occurredAt).min(Comparator.naturalOrder()).orElseThrow();
            String signature = first.storeId() + '#' + orderLines.stream().map(Line::key).sorted().toList();
            bySignature.computeIfAbsent(signature, k -> new ArrayList<>())
                    .add(new Order(first.source(), first.orderId(), first.storeId(), at, orderLines, signature));
        }
        List<Pair> pairs = new ArrayList<>();
        for (List<Order> same : bySignature.values()) {
            if (same.size() < 2) {
                continue;
            }
            same.sort(Comparator.comparing(Order::at));
            Set<Order> matched = new HashSet<>();
            for (int i = 0; i < same.size(); i++) {
                Order original = same.get(i);
                if (matched.contains(original)) {
                    continue;
                }
                for (int j = i + 1; j < same.size(); j++) {
                    Order later = same.get(j);
                    if (Duration.between(original.at(), later.at()).compareTo(window) > 0) {
                        break;
                    }
                    if (!matched.contains(later) && !later.source().equals(original.source())) {
                        matched.add(original);
                        matched.add(later);
                        pairLines(original, later, pairs);
                        break;
                    }
                }
            }
        }
        pairs.sort(Comparator.comparingInt(p -> p.duplicate().index()));
        return pairs;
    }

    private static void pairLines(Order original, Order later, List<Pair> pairs) {
        Map<String, List<Line>> waiting = new HashMap<>();
        for (Line line : later.lines()) {
            waiting.computeIfAbsent(line.key(), k -> new ArrayList<>()).add(line);
        }
        for (Line line : original.lines()) {
            List<Line> candidates = waiting.get(line.key());
            if (candidates != null && !candidates.isEmpty()) {
                pairs.add(new Pair(line, candidates.remove(0)));
            }
        }
    }
}
