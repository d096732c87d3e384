package io.memberpulse.churn.domain.features;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a member did up to an instant, and nothing after it: orders (lines grouped by order id),
 * refunds, reviews, coupon events and visits, each in time order. Every feature is computed from
 * one of these, which is how no fact after the cut-off can leak into a feature. The orders are the
 * (net) purchases of DOMAIN.md §2 as known at the cut-off: an order its refunds up to then cancel in
 * full is none (see {@link #isNetPurchase}); it stays among the {@link #cancelledOrders()}.
 */
public final class MemberHistory {
    private final Instant asOf;
    private final long asOfDay;
    private final List<Order> orders;
    private final List<Order> cancelledOrders;
    private final List<Activity> others;
    private final long[] purchaseDays;

    private MemberHistory(Instant asOf, long asOfDay, List<Order> orders, List<Order> cancelledOrders,
            List<Activity> others) {
        this.asOf = asOf;
        this.asOfDay = asOfDay;
        this.orders = orders;
        this.cancelledOrders = cancelledOrders;
        this.others = others;
        this.purchaseDays = orders.stream().mapToLong(Order::day).distinct().sorted().toArray();
    }

    /**
     * The member's history as known at {@code asOf} (facts at or before it), days counted in {@code zone}: a refund
     * after asOf does not cancel an order as of it.
     */
    public static MemberHistory asOf(Collection<Activity> activities, Instant asOf, ZoneId zone) {
        Map<String, List<Activity>> linesByOrder = new LinkedHashMap<>();
        Map<String, Double> refundedByOrder = new HashMap<>();
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
                if (activity.kind() == Activity.Kind.REFUND && activity.orderKey() != null) {
                    refundedByOrder.merge(activity.orderKey(), Math.abs(activity.amount()), Double::sum);
                }
                others.add(activity);
            }
        }
        List<Order> orders = new ArrayList<>(linesByOrder.size());
        List<Order> cancelled = new ArrayList<>();
        linesByOrder.forEach((id, lines) -> {
            Order order = toOrder(id, lines, zone);
            (isNetPurchase(order.paid(), refundedByOrder.getOrDefault(id, 0d)) ? orders : cancelled).add(order);
        });
        orders.sort(Comparator.comparing(Order::at).thenComparing(Order::orderId));
        cancelled.sort(Comparator.comparing(Order::at).thenComparing(Order::orderId));
        others.sort(Comparator.comparing(Activity::at));
        return new MemberHistory(asOf, asOf.atZone(zone).toLocalDate().toEpochDay(), List.copyOf(orders),
                List.copyOf(cancelled), List.copyOf(others));
    }

    /**
     * Whether an order that paid {@code paid} (its lines added up) and was refunded {@code refunded} (refunds naming
     * it, as known at the instant asked about) is a purchase: something kept, paid − refunded > 0, as
     * RhythmChurnModel nets. A fully refunded order is none, nor is a till return written as a negative order line;
     * a free order (nothing paid, nothing refunded) stays a purchase occasion, as it always was here.
     */
    public static boolean isNetPurchase(double paid, double refunded) {
        return paid - refunded > 0 || (paid == 0 && refunded == 0);
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

    /** The (net) purchases up to the cut-off, in time order. */
    public List<Order> orders() {
        return orders;
    }

    /**
     * Orders up to the cut-off that are no purchase (see {@link #isNetPurchase}): refunded in full by then, or a till
     * return written as an order line. Their money still counts in spend and refund rate, as their refunds do.
     */
    public List<Order> cancelledOrders() {
        return cancelledOrders;
    }

    /** Refunds, reviews, coupon events, visits: everything but order lines. */
    public List<Activity> others() {
        return others;
    }

    /** Distinct days with a (net) purchase, ascending (epoch days). */
    public long[] purchaseDays() {
        return purchaseDays.clone();
    }

    public boolean hasPurchased() {
        return !orders.isEmpty();
    }
}
