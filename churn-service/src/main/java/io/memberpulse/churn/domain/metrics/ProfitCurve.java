package io.memberpulse.churn.domain.metrics;

/**
 * The expected profit of a retention campaign aimed down the ranked list, on outcomes: touching the
 * top share costs {@code costPerMember} each; each churner touched is won back with probability
 * {@code winBackPerChurner}, worth {@code valuePerWonBack}. The rate is per churner among the touched (as
 * the what-if ROI's), so that a list holding more churners earns more; DOMAIN.md §3's worked example 1
 * and POST /roi give theirs per targeted member: WhatIfRoi.winBackPerChurner converts one into the other.
 */
public record ProfitCurve(double costPerMember, double winBackPerChurner, double valuePerWonBack) {

    /**
     * The model reports' campaign (profitPerThousandAt20): DOMAIN.md example 1's costs (¥0.25 touch + ¥2 coupon) and
     * value (¥60 per won-back member) with 8% of the touched churners won back. Not DOMAIN's example itself, whose 8%
     * is per targeted member: at 52.5% churners among the targeted that is 15.2% per churner.
     */
    public static final ProfitCurve AUTOMATED_CARE = new ProfitCurve(2.25, 0.08, 60);

    public ProfitCurve {
        if (costPerMember < 0 || !(winBackPerChurner >= 0 && winBackPerChurner <= 1) || valuePerWonBack < 0) {
            throw new IllegalArgumentException("cost, win-back rate and value must be non-negative (rate at most 1)");
        }
    }

    /** Profit per 1,000 members of targeting the top share. */
    public double profitPerThousand(double[] scores, int[] labels, double share) {
        int k = BinaryMetrics.topCount(labels.length, share);
        int churners = BinaryMetrics.positivesInTop(scores, labels, share);
        double profit = churners * winBackPerChurner * valuePerWonBack - k * costPerMember;
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
            profit += labels[order[order.length - k]] * winBackPerChurner * valuePerWonBack - costPerMember;
            double perThousand = profit * 1000 / labels.length;
            if (perThousand > best.profitPerThousand() + 1e-12) {
                best = new Best(k / (double) labels.length, perThousand);
            }
        }
        return best;
    }
}
