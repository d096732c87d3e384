package io.memberpulse.churn.domain.btyd;

/**
 * A customer's purchase history as the BG/NBD model sees it, in one time unit (weeks in the
 * literature): x repeat purchases (purchase days after the first), the last of them at tx after the
 * first purchase, observed for T since the first purchase.
 */
public record RepeatSummary(int x, double tx, double T) {
    public RepeatSummary {
        if (x < 0 || tx < 0 || T < tx || (x == 0 && tx != 0)) {
            throw new IllegalArgumentException("invalid summary x=" + x + " tx=" + tx + " T=" + T);
        }
    }

    /**
     * From a customer's distinct purchase days (epoch days, ascending, all at or before {@code endDay}):
     * the first day is the trial purchase, each later day one repeat; times in units of {@code unitDays}.
     */
    public static RepeatSummary of(long[] purchaseDays, long endDay, double unitDays) {
        if (purchaseDays.length == 0) {
            throw new IllegalArgumentException("a customer needs a first purchase");
        }
        long first = purchaseDays[0];
        long last = purchaseDays[purchaseDays.length - 1];
        if (last > endDay) {
            throw new IllegalArgumentException("purchase after the end of the observation");
        }
        return new RepeatSummary(purchaseDays.length - 1, (last - first) / unitDays, (endDay - first) / unitDays);
    }
}
