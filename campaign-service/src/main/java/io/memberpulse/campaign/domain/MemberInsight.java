package io.memberpulse.campaign.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a store manager should know before calling a member, as of event time: RFM (days since the
 * last purchase, orders and net spend in the last 90 days), the last purchase (when, where, what),
 * favourite categories and the coupons still open.
 *
 * @param recencyDays    whole days from the last purchase to {@code asOf}; null when the member never bought
 * @param lastPurchase   null when the member never bought
 * @param returnedSinceLastPurchase refunded (within the 90 days) at or after the last purchase: a call should know
 *                       that what the member last bought went back
 */
public record MemberInsight(Instant asOf, Long recencyDays, int orders90d, double netSpend90d, LastPurchase lastPurchase,
        double returnedSinceLastPurchase, List<String> favouriteCategories, List<OpenCoupon> openCoupons) {
    public static final Duration WINDOW = Duration.ofDays(90);
    static final int FAVOURITES = 3;

    public MemberInsight {
        favouriteCategories = List.copyOf(favouriteCategories);
        openCoupons = List.copyOf(openCoupons);
    }

    /**
     * One stored purchase line (an order line, or a refund as a negative amount); {@code orderId} names the order
     * across channels (source:order_id: a till's 1001 and the mini-program's 1001 are two orders).
     */
    public record Line(String orderId, boolean refund, Instant at, String storeId, String sku, String category,
            Double quantity, double amount) {
    }

    public record LastPurchase(Instant at, String storeId, double amount, List<Item> items) {
        public LastPurchase {
            items = List.copyOf(items);
        }
    }

    public record Item(String sku, String category, double quantity, double paid) {
    }

    public record OpenCoupon(String couponId, String campaignId, Double value, Instant issuedAt, Instant expiresAt) {
    }

    /**
     * The net spend is that of the orders placed in the 90 days, net of their refunds, as rfm-service's M90 and
     * churn-service's 90-day value are: a refund of an order placed before them comes off that order, not these 90 days
     * (returning last quarter's order does not make this quarter's spend negative); a refund whose order is not known
     * (a cancellation under its own number) counts at its own date.
     *
     * @param recent    the member's lines in the 90 days up to {@code asOf}, and the order lines placed before them of
     *                  orders that a refund among them takes back (older lines are read for that only)
     * @param lastOrder the lines of the member's latest order that stands, not refunded in full (however old)
     * @param coupons   issued to the member, not redeemed, not expired as of {@code asOf}
     */
    public static MemberInsight of(Instant asOf, List<Line> recent, List<Line> lastOrder, List<OpenCoupon> coupons) {
        Instant since = asOf.minus(WINDOW);
        List<Line> window = recent.stream().filter(l -> l.at().isAfter(since) && !l.at().isAfter(asOf)).toList();
        Set<String> placed = new LinkedHashSet<>();
        window.stream().filter(l -> !l.refund()).forEach(l -> placed.add(l.orderId()));
        Set<String> placedBefore = new HashSet<>();
        recent.stream().filter(l -> !l.refund() && !l.at().isAfter(since)).forEach(l -> placedBefore.add(l.orderId()));
        Map<String, Double> netOfOrder = new HashMap<>();
        double net = 0;
        for (Line line : window) {
            if (line.refund() && !placed.contains(line.orderId()) && placedBefore.contains(line.orderId())) {
                continue; // comes off an order of before the 90 days
            }
            net += line.amount();
            netOfOrder.merge(line.orderId(), line.amount(), Double::sum);
        }
        // An order refunded in full by asOf is no purchase (rfm-service's Orders.isPurchase).
        long orders = placed.stream().filter(order -> netOfOrder.get(order) > 0).count();
        LastPurchase last = lastPurchase(lastOrder);
        Long recency = last == null ? null : Math.max(0, Duration.between(last.at(), asOf).toDays());
        List<Line> forFavourites = window.stream().anyMatch(l -> !l.refund()) ? window : lastOrder;
        double returned = last == null ? 0 : window.stream().filter(l -> l.refund() && !l.at().isBefore(last.at()))
                .mapToDouble(l -> -l.amount()).sum();
        return new MemberInsight(asOf, recency, (int) orders, net, last, returned, favourites(forFavourites),
                coupons.stream().sorted(Comparator.comparing(OpenCoupon::expiresAt)).toList());
    }

    private static LastPurchase lastPurchase(List<Line> lines) {
        List<Line> bought = lines.stream().filter(l -> !l.refund()).toList();
        if (bought.isEmpty()) {
            return null;
        }
        Line first = bought.get(0);
        List<Item> items = bought.stream()
                .map(l -> new Item(l.sku(), l.category(), l.quantity() == null ? 1 : l.quantity(), l.amount())).toList();
        return new LastPurchase(first.at(), first.storeId(), bought.stream().mapToDouble(Line::amount).sum(), items);
    }

    /** The categories the member spent most on, two levels deep ("dairy/yogurt" of "dairy/yogurt/greek"). */
    static List<String> favourites(List<Line> lines) {
        Map<String, Double> spend = new HashMap<>();
        for (Line line : lines) {
            if (!line.refund() && line.category() != null && !line.category().isBlank()) {
                spend.merge(twoLevels(line.category()), line.amount(), Double::sum);
            }
        }
        return spend.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(FAVOURITES).map(Map.Entry::getKey).toList();
    }

    static String twoLevels(String category) {
        String[] parts = category.strip().split("/");
        return parts.length <= 2 ? String.join("/", parts) : parts[0] + "/" + parts[1];
    }
}
