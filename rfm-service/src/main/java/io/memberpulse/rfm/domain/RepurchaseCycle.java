package io.memberpulse.rfm.domain;

import java.time.Instant;
import java.util.Collection;
import java.util.OptionalLong;

/**
 * The repurchase_cycle_days tag: the mean gap between a member's purchases in the 90 days before as-of, counted as
 * frequency counts them ({@link Orders}: an order by its first line; fully refunded orders are none). Two orders a
 * day apart are a one-day cycle, not the 45 days that 90 ÷ F90 would say.
 */
public final class RepurchaseCycle {
    static final double WINDOW_DAYS = 90;
    /** The gaps do not depend on margins. */
    private static final MarginRates MARGIN_NOT_USED = MarginRates.uniform(1);

    private RepurchaseCycle() {
    }

    /** The mean gap in whole days, or none below two purchases in the window. */
    public static OptionalLong meanGapDays(Collection<PurchaseLine> lines, Instant asOf) {
        Instant first = null;
        Instant last = null;
        int purchases = 0;
        for (Orders.Order order : Orders.of(lines, asOf, MARGIN_NOT_USED).values()) {
            if (!order.isPurchase() || Rfm.ageDays(order.placedAt, asOf) >= WINDOW_DAYS) {
                continue;
            }
            purchases++;
            first = first == null || order.placedAt.isBefore(first) ? order.placedAt : first;
            last = last == null || order.placedAt.isAfter(last) ? order.placedAt : last;
        }
        if (purchases < 2) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Math.round(Rfm.ageDays(first, last) / (purchases - 1)));
    }
}
