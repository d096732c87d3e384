package io.memberpulse.churn.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The first, honest baseline: recency judged against the member's own purchase rhythm.
 * With g the median gap between the member's orders (a default for one-time buyers) and
 * r = recency / g, the member is "alive" with probability 1 / (1 + r^2); an alive member buying
 * every g days on average (Poisson) makes no purchase within the horizon H with probability
 * exp(-H / g). So P(churn) = (1 - alive) + alive * exp(-H / g). Trained models replace it later;
 * it stays as the baseline they must beat. Nothing after {@code asOf} is used.
 */
public final class RhythmChurnModel {
    public static final String VERSION = "rhythm-baseline-1";
    private static final double DAY_SECONDS = 86_400d;

    private final int horizonDays;
    private final double defaultGapDays;

    public RhythmChurnModel(int horizonDays, double defaultGapDays) {
        if (horizonDays < 1) {
            throw new IllegalArgumentException("horizonDays must be positive: " + horizonDays);
        }
        if (defaultGapDays <= 0) {
            throw new IllegalArgumentException("defaultGapDays must be positive: " + defaultGapDays);
        }
        this.horizonDays = horizonDays;
        this.defaultGapDays = defaultGapDays;
    }

    /** Empty when the member has no net purchase before {@code asOf}: there is nothing to lose yet. */
    public java.util.Optional<ChurnScore> score(String memberId, Collection<Purchase> purchases, Instant asOf) {
        Map<String, Instant> placed = new HashMap<>();
        Map<String, Double> net = new HashMap<>();
        Map<String, String> store = new HashMap<>();
        for (Purchase purchase : purchases) {
            if (purchase.occurredAt().isAfter(asOf)) {
                continue;
            }
            net.merge(purchase.orderId(), purchase.amount(), Double::sum);
            if (!purchase.refund()) {
                placed.merge(purchase.orderId(), purchase.occurredAt(), (a, b) -> a.isBefore(b) ? a : b);
                store.putIfAbsent(purchase.orderId(), purchase.storeId());
            }
        }
        // Every order counts for value and home store, also two placed at the same instant (two tills, a basket
        // split by the channel); the rhythm is of purchase instants, so those make one gap-less visit there.
        List<Map.Entry<String, Instant>> orders = placed.entrySet().stream()
                .filter(order -> net.getOrDefault(order.getKey(), 0d) > 0)
                .sorted(Map.Entry.<String, Instant>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .toList();
        if (orders.isEmpty()) {
            return java.util.Optional.empty();
        }
        Map.Entry<String, Instant> lastOrder = orders.get(orders.size() - 1);
        double recency = days(lastOrder.getValue(), asOf);
        double gap = medianGap(orders.stream().map(Map.Entry::getValue).distinct().toList());
        double ratio = recency / gap;
        double alive = 1 / (1 + ratio * ratio);
        double probability = (1 - alive) + alive * Math.exp(-horizonDays / gap);

        double value = 0;
        Map<String, Integer> recentOrdersPerStore = new HashMap<>();
        for (Map.Entry<String, Instant> order : orders) {
            if (days(order.getValue(), asOf) < 90) {
                value += net.get(order.getKey());
                String storeId = store.get(order.getKey());
                if (storeId != null && !storeId.isEmpty()) {
                    recentOrdersPerStore.merge(storeId, 1, Integer::sum);
                }
            }
        }
        // Refunds that name no order of this member (a channel that gives a cancellation its own number, as
        // Online Retail's C-invoices) are still money returned within the window: without them a bought-and-
        // returned order would count as 90-day value, and rank the member's call by spend that was given back.
        for (Purchase purchase : purchases) {
            if (purchase.refund() && !placed.containsKey(purchase.orderId()) && !purchase.occurredAt().isAfter(asOf)
                    && days(purchase.occurredAt(), asOf) < 90) {
                value += purchase.amount();
            }
        }
        value = Math.max(0, value);
        String homeStore = recentOrdersPerStore.isEmpty() ? store.get(lastOrder.getKey())
                : recentOrdersPerStore.entrySet().stream()
                        .max(Map.Entry.<String, Integer>comparingByValue()
                                .thenComparing(Map.Entry.<String, Integer>comparingByKey().reversed()))
                        .orElseThrow().getKey();
        return java.util.Optional.of(new ChurnScore(memberId, Math.min(1, Math.max(0, probability)), VERSION, asOf,
                horizonDays, homeStore, value, recency, gap));
    }

    private double medianGap(List<Instant> orderTimes) {
        if (orderTimes.size() < 2) {
            return defaultGapDays;
        }
        double[] gaps = new double[orderTimes.size() - 1];
        for (int i = 1; i < orderTimes.size(); i++) {
            gaps[i - 1] = Math.max(1, days(orderTimes.get(i - 1), orderTimes.get(i))); // same-day orders: one visit
        }
        java.util.Arrays.sort(gaps);
        int mid = gaps.length / 2;
        return gaps.length % 2 == 1 ? gaps[mid] : (gaps[mid - 1] + gaps[mid]) / 2;
    }

    private static double days(Instant from, Instant to) {
        return Duration.between(from, to).getSeconds() / DAY_SECONDS;
    }
}
