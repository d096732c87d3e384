package io.memberpulse.rfm.domain;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The repurchase_cycle_days tag: the mean gap between a member's purchases in the 90 days before as-of, counted as
 * frequency counts them (an order by its first line; fully refunded orders are none). Two orders a day apart are a
 * one-day cycle, not the 45 days that 90 ÷ F90 would say.
 */
public final class RepurchaseCycle {
    static final double WINDOW_DAYS = 90;

    private RepurchaseCycle() {
    }

    /** The mean gap in whole days, or none below two purchases in the window. */
    public static OptionalLong meanGapDays(Collection<PurchaseLine> lines, Instant asOf) {
        Map<String, Instant> placedAt = new HashMap<>();
        Map<String, Double> paid = new HashMap<>();
        Map<String, Double> refunded = new HashMap<>();
        for (PurchaseLine line : lines) {
            if (line.occurredAt().isAfter(asOf)) {
                continue;
            }
            if (line.kind() == PurchaseLine.Kind.REFUND) {
                refunded.merge(line.orderId(), line.refundAmount(), Double::sum);
            } else {
                placedAt.merge(line.orderId(), line.occurredAt(), (a, b) -> a.isBefore(b) ? a : b);
                paid.merge(line.orderId(), line.paidAmount(), Double::sum);
            }
        }
        Instant first = null;
        Instant last = null;
        int purchases = 0;
        for (Map.Entry<String, Instant> order : placedAt.entrySet()) {
            boolean fullyRefunded = paid.get(order.getKey()) - refunded.getOrDefault(order.getKey(), 0.0) <= 0;
            if (fullyRefunded || Rfm.ageDays(order.getValue(), asOf) >= WINDOW_DAYS) {
                continue;
            }
            purchases++;
            first = first == null || order.getValue().isBefore(first) ? order.getValue() : first;
            last = last == null || order.getValue().isAfter(last) ? order.getValue() : last;
        }
        if (purchases < 2) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Math.round(Rfm.ageDays(first, last) / (purchases - 1)));
    }
}
