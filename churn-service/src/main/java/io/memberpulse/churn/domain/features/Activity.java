package io.memberpulse.churn.domain.features;

import java.time.Instant;
import java.util.Objects;

/**
 * One fact of a member's history, as the churn features read it: an order line, a refund, a
 * review, a coupon issued or redeemed, a visit, a store's intervention (a call by staff). Amounts are in the store currency; absent text
 * fields are null, absent numbers 0.
 *
 * @param amount paid (order line), refunded (refund, positive) or the coupon value (coupon events)
 * @param discount coupon and promotion deductions on an order line
 * @param rating 1..5 for a review, 0 when absent
 * @param text a review's text; an intervention's result (e.g. will_return)
 */
public record Activity(Kind kind, Instant at, String orderId, String channel, String storeId, String sku,
        String category, double quantity, double amount, double discount, int rating, String text) {

    public enum Kind { ORDER_LINE, REFUND, REVIEW, COUPON_ISSUED, COUPON_REDEEMED, VISIT, INTERVENTION }

    public Activity {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(at, "at");
        if (rating < 0 || rating > 5) {
            throw new IllegalArgumentException("rating must be within 0..5: " + rating);
        }
    }

    /**
     * The order this fact concerns across channels (an order is a channel's order id, as EVENT-CSV defines it: a
     * till's order 1001 and the mini-program's 1001 are two orders), or null when it names none.
     */
    public String orderKey() {
        return orderId == null ? null : channel + ':' + orderId;
    }

    public static Activity orderLine(Instant at, String orderId, String channel, String storeId, String sku,
            String category, double quantity, double paid, double discount) {
        return new Activity(Kind.ORDER_LINE, at, orderId, channel, storeId, sku, category, quantity, paid, discount, 0,
                null);
    }

    public static Activity refund(Instant at, String orderId, String channel, String storeId, double refunded) {
        return new Activity(Kind.REFUND, at, orderId, channel, storeId, null, null, 0, refunded, 0, 0, null);
    }

    public static Activity review(Instant at, String orderId, String channel, int rating, String text) {
        return new Activity(Kind.REVIEW, at, orderId, channel, null, null, null, 0, 0, 0, rating, text);
    }

    public static Activity coupon(Kind kind, Instant at, String orderId, String channel, String storeId, double value) {
        if (kind != Kind.COUPON_ISSUED && kind != Kind.COUPON_REDEEMED) {
            throw new IllegalArgumentException("not a coupon event: " + kind);
        }
        return new Activity(kind, at, orderId, channel, storeId, null, null, 0, value, 0, 0, null);
    }

    /** Staff tried to reach the member (a campaign task's outcome); amount 1 when they did, else 0. */
    public static Activity intervention(Instant at, String storeId, boolean reached, String result) {
        return new Activity(Kind.INTERVENTION, at, null, null, storeId, null, null, 0, reached ? 1 : 0, 0, 0, result);
    }

    /** Staff tried to reach the member, whether or not they did: a treatment as assigned (SnapshotBuilder.treated). */
    public boolean isInterventionAttempt() {
        return kind == Kind.INTERVENTION;
    }

    /** An intervention in which staff reached the member (the recent-touches feature counts these). */
    public boolean isTreatment() {
        return kind == Kind.INTERVENTION && amount > 0;
    }

    /**
     * An order line: a purchase occasion, a free one (paid 0) included, unless its order is refunded in full or paid
     * less than nothing (a till return), which MemberHistory and SnapshotBuilder judge by netting the order.
     */
    public boolean isPurchase() {
        return kind == Kind.ORDER_LINE;
    }
}
