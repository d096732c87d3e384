package io.memberpulse.churn.testdata;

import io.memberpulse.churn.domain.features.Activity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A member's history written relative to a cut-off: {@code daysBefore} 10 = ten days before it (negative = after). */
public final class HistoryBuilder {
    public static final Instant T = Instant.parse("2024-06-30T00:00:00Z");

    private final List<Activity> activities = new ArrayList<>();
    private int orders;

    public static HistoryBuilder member() {
        return new HistoryBuilder();
    }

    public static Instant daysBefore(double days) {
        return T.minus(Duration.ofMinutes(Math.round(days * 24 * 60)));
    }

    public HistoryBuilder order(double daysBefore, double paid) {
        return order(daysBefore, "sku-" + orders, "grocery/dairy", 1, paid, 0, "s1");
    }

    public HistoryBuilder order(double daysBefore, String sku, String category, double quantity, double paid,
            double discount, String store) {
        activities.add(Activity.orderLine(daysBefore(daysBefore), "o" + orders++, "pos", store, sku, category, quantity,
                paid, discount));
        return this;
    }

    public HistoryBuilder line(String sku, String category, double quantity, double paid) {
        Activity last = activities.get(activities.size() - 1);
        activities.add(Activity.orderLine(last.at(), last.orderId(), last.channel(), last.storeId(), sku, category,
                quantity, paid, 0));
        return this;
    }

    public HistoryBuilder refund(double daysBefore, double amount) {
        activities.add(Activity.refund(daysBefore(daysBefore), "r" + activities.size(), "pos", "s1", amount));
        return this;
    }

    /** A refund of the order placed last (refunds matching no order are {@link #refund}). */
    public HistoryBuilder refundLastOrder(double daysBefore, double amount) {
        activities.add(Activity.refund(daysBefore(daysBefore), "o" + (orders - 1), "pos", "s1", amount));
        return this;
    }

    /** A till return written as an order line of its own with a negative amount paid. */
    public HistoryBuilder tillReturn(double daysBefore, double amount) {
        return order(daysBefore, "sku-" + orders, "grocery/dairy", -1, -amount, 0, "s1");
    }

    public HistoryBuilder review(double daysBefore, int rating, String text) {
        activities.add(Activity.review(daysBefore(daysBefore), "o0", "miniapp", rating, text));
        return this;
    }

    public HistoryBuilder coupon(Activity.Kind kind, double daysBefore) {
        activities.add(Activity.coupon(kind, daysBefore(daysBefore), null, "crm", "s1", 5));
        return this;
    }

    public HistoryBuilder intervention(double daysBefore, boolean reached) {
        activities.add(Activity.intervention(daysBefore(daysBefore), "s1", reached, reached ? "will_return" : "not_reached"));
        return this;
    }

    public List<Activity> build() {
        return List.copyOf(activities);
    }
}
