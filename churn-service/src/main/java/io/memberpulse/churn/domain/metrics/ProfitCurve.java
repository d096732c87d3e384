package io.memberpulse.churn.domain.metrics;

/**
 * The expected profit of a retention campaign aimed down the ranked list (the ROI calculator of
 * DOMAIN.md §3 applied to outcomes): touching the top share costs {@code costPerMember} each; each
 * churner touched is won back with probability {@code winBackUplift}, worth {@code valuePerWonBack}.
 */
public record ProfitCurve(double costPerMember, double winBackUplift, double valuePerWonBack) {

    /** DOMAIN.md worked example 1: ¥0.25 touch + ¥2 coupon, +8% win-back, ¥60 per won-back member. */
    public static final ProfitCurve AUTOMATED_CARE = new ProfitCurve(2.25, 0.08, 60);

    public ProfitCurve {
        if (costPerMember < 0 || winBackUplift < 0 || winBackUplift > 1 || valuePerWonBack < 0) {
            throw new IllegalArgumentException("cost, uplift and value must be non-negative (uplift at most 1)");
        }
    }

    /** Profit per 1,000 members of targeting the top share. */
    public double profitPerThousand(double[] scores, int[] labels, double share) {
        int k = BinaryMetrics.topCount(labels.length, share);
        int churners = BinaryMetrics.positivesInTop(scores, labels, share);
        double profit = churners * winBackUplift * valuePerWonBack - k * costPerMember;
        return profit * 1000 / labels.length;
    }

    /** The best share to target and its profit per 1,000 members. */
    public record Best(double share, double profitPerThousand) {
    }

    /** The best share to target (k / n for the best list length k) and its profit per 1,000 members. */
    public Best best(double[] scores, int[] labels) {
        Integer[] order = BinaryMetrics.byScoreAscending(scores);
        Best best = new Best(0, 0);
        double profit = 0;
        for (int k = 1; k <= order.length; k++) {
            profit += labels[order[order.length - k]] * winBackUplift * valuePerWonBack - costPerMember;
            double perThousand = profit * 1000 / labels.length;
            if (perThousand > best.profitPerThousand() + 1e-12) {
                best = new Best(k / (double) labels.length, perThousand);
            }
        }
        return best;
    }
}
