package io.memberpulse.rfm.domain;

import java.time.Instant;

/**
 * A member's RFM as of an instant. R in days since the last net purchase (null: never bought);
 * F = distinct net orders in rolling windows, plain and margin-weighted; M = paid after coupons
 * minus refunds, and its gross margin.
 */
public record Rfm(String memberId, Instant asOf, Instant lastPurchaseAt, Double recencyDays,
        int frequency7d, int frequency14d, int frequency30d, int frequency90d,
        double weightedFrequency30d, double weightedFrequency90d,
        double monetaryNet30d, double monetaryNet90d, double monetaryMargin90d,
        long ordersTotal, double monetaryNetTotal, String homeStoreId) {
}
