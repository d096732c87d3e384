package io.memberpulse.rfm.domain;

import java.time.Duration;
import java.time.Instant;

/**
 * A member's RFM as of an instant. R in days since the last net purchase (null: never bought);
 * F = distinct net orders in rolling windows, plain and margin-weighted; M = paid after coupons
 * minus refunds, and its gross margin. {@code registeredAt} is the member's first registration
 * (null when none is known): a member who registered and never bought has an RFM of zeros and a
 * lifecycle stage from it.
 */
public record Rfm(String memberId, Instant asOf, Instant lastPurchaseAt, Double recencyDays,
        int frequency7d, int frequency14d, int frequency30d, int frequency90d,
        double weightedFrequency30d, double weightedFrequency90d,
        double monetaryNet30d, double monetaryNet90d, double monetaryMargin90d,
        long ordersTotal, double monetaryNetTotal, String homeStoreId, Instant registeredAt) {
    private static final double DAY_SECONDS = 86_400d;

    /** Days from {@code at} to {@code asOf}, as every R and window age is measured. */
    public static double ageDays(Instant at, Instant asOf) {
        return Duration.between(at, asOf).getSeconds() / DAY_SECONDS;
    }

    /** Whether the member ever made a net purchase (as of the instant). */
    public boolean bought() {
        return recencyDays != null;
    }

    /**
     * The same figures at a later instant with only R moved: what this RFM is at {@code later} when
     * nothing but time passed and no window boundary was crossed (the re-ageing pass checks that by
     * comparing with a recomputation). An earlier instant changes nothing.
     */
    public Rfm agedTo(Instant later) {
        if (later == null || !later.isAfter(asOf)) {
            return this;
        }
        return new Rfm(memberId, later, lastPurchaseAt, lastPurchaseAt == null ? null : ageDays(lastPurchaseAt, later),
                frequency7d, frequency14d, frequency30d, frequency90d, weightedFrequency30d, weightedFrequency90d,
                monetaryNet30d, monetaryNet90d, monetaryMargin90d, ordersTotal, monetaryNetTotal, homeStoreId, registeredAt);
    }
}
