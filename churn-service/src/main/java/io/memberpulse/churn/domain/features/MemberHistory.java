package io.memberpulse.churn.domain.features;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a member did up to an instant, and nothing after it: orders (lines grouped by order id),
 * refunds, reviews, coupon events and visits, each in time order. Every feature is computed from
 * one of these, which is how no fact after the cut-off can leak into a feature.
 */
public final class MemberHistory {
    private final Instant asOf;
    private final long asOfDay;
    private final List<Order> orders;
    private final List<Activity> others;
    private final long[] purchaseDays;

    private MemberHistory(Instant asOf, long asOfDay, List<Order> orders, List<Activity> others) {
        this.asOf = asOf;
        this.asOfDay = asOfDay;
        this.orders = orders;
        this.others = others;
        this.purchaseDays = orders.stream().mapToLong(Order::day).distinct().sorted().toArray();
    }

    /** The member's history as known at {@code asOf} (facts at or before it), days counted in {@code zone}. */
    public static MemberHistory asOf(Collection<Activity> activities, Instant asOf, ZoneId zone) {
        Map<String, List<Activity>> linesByOrder = new LinkedHashMap<>();
        List<Activity> others = new ArrayList<>();
        int anonymous = 0;
        for (Activity activity : activities) {
            if (activity.at().isAfter(asOf)) {
                continue;
            }
            if (activity.isPurchase()) {
                String key = activity.orderKey() != null ? activity.orderKey() : "#" + anonymous++;
                linesByOrder.computeIfAbsent(key, k -> new ArrayList<>()).add(activity);
            } else {
                others.add(activity);
            }
        }
        List<Order> orders = new ArrayList<>(linesByOrder.size());
        linesByOrder.forEach((id, lines) -> orders.add(toOrder(id, lines, zone)));
        orders.sort(Comparator.comparing(Order::at).thenComparing(Order::orderId));
        others.sort(Comparator.comparing(Activity::at));
        return new MemberHistory(asOf, asOf.atZone(zone).toLocalDate().toEpochDay(), List.copyOf(orders),
                List.copyOf(others));
    }

    private static Order toOrder(String id, List<Activity> lines, ZoneId zone) {
        Instant at = lines.get(0).at();
        double quantity = 0;
        double paid = 0;
        double discount = 0;
        Set<String> skus = new HashSet<>();
        Set<String> categories = new HashSet<>();
        for (Activity line : lines) {
            at = line.at().isBefore(at) ? line.at() : at;
            quantity += Math.max(0, line.quantity());
            paid += line.amount();
            discount += Math.max(0, line.discount());
            if (line.sku() != null) {
                skus.add(line.sku());
            }
            if (line.category() != null) {
                categories.add(line.category());
            }
        }
        Activity first = lines.get(0);
        return new Order(id, at, at.atZone(zone).toLocalDate().toEpochDay(), first.channel(), first.storeId(),
                lines.size(), quantity, paid, discount, skus, categories);
    }

    public Instant asOf() {
        return asOf;
    }

    /** The day of the cut-off (epoch day in the history's zone), as {@link #purchaseDays()} count days. */
    public long asOfDay() {
        return asOfDay;
    }

    public List<Order> orders() {
        return orders;
    }

    /** Refunds, reviews, coupon events, visits: everything but order lines. */
    public List<Activity> others() {
        return others;
    }

    /** Distinct days with an order, ascending (epoch days). */
    public long[] purchaseDays() {
        return purchaseDays.clone();
    }

    public boolean hasPurchased() {
        return !orders.isEmpty();
    }
}
