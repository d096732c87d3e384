package io.memberpulse.campaign.domain.experiment;

import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.interval.ConfidenceInterval;
import org.apache.commons.math3.stat.interval.WilsonScoreInterval;

/** A difference between arms with its 95% confidence interval. */
public record Estimate(double value, double low, double high) {
    private static final WilsonScoreInterval WILSON = new WilsonScoreInterval();

    /**
     * treated − holdout for two proportions, with Newcombe's hybrid score interval (his method 10): built on each
     * arm's Wilson interval, it keeps its 95% where the Wald interval does not, on small arms and rates near 0 or 1
     * (0 of 9 against 0 of 1 is not [0, 0]; 3 of 9 against 0 of 1 is not significant). Holdouts are often small.
     */
    public static Estimate differenceOfProportions(long treatedHits, long treatedN, long holdoutHits, long holdoutN) {
        if (treatedN == 0 || holdoutN == 0) {
            return new Estimate(Double.NaN, Double.NaN, Double.NaN);
        }
        double p1 = (double) treatedHits / treatedN;
        double p0 = (double) holdoutHits / holdoutN;
        ConfidenceInterval treated = WILSON.createInterval(Math.toIntExact(treatedN), Math.toIntExact(treatedHits), 0.95);
        ConfidenceInterval holdout = WILSON.createInterval(Math.toIntExact(holdoutN), Math.toIntExact(holdoutHits), 0.95);
        double diff = p1 - p0;
        double below = Math.hypot(p1 - treated.getLowerBound(), holdout.getUpperBound() - p0);
        double above = Math.hypot(treated.getUpperBound() - p1, p0 - holdout.getLowerBound());
        return new Estimate(diff, diff - below, diff + above);
    }

    /**
     * treated − holdout for two means (Welch: unequal variances), the interval from Student's t with the
     * Welch–Satterthwaite degrees of freedom (with 3 members an arm, z's 1.96 would make it about 30% too narrow);
     * none when an arm is empty, no interval below 2.
     */
    public static Estimate differenceOfMeans(Summary treated, Summary holdout) {
        if (treated.n() == 0 || holdout.n() == 0) {
            // An empty arm has no mean: its 0 would pass the other arm's whole mean off as the uplift.
            return new Estimate(Double.NaN, Double.NaN, Double.NaN);
        }
        if (treated.n() < 2 || holdout.n() < 2) {
            return new Estimate(treated.mean() - holdout.mean(), Double.NaN, Double.NaN);
        }
        double treatedShare = treated.variance() / treated.n();
        double holdoutShare = holdout.variance() / holdout.n();
        double se = Math.sqrt(treatedShare + holdoutShare);
        double diff = treated.mean() - holdout.mean();
        if (se == 0) {
            return new Estimate(diff, diff, diff); // no spread in either arm: nothing to widen by
        }
        double df = (treatedShare + holdoutShare) * (treatedShare + holdoutShare)
                / (treatedShare * treatedShare / (treated.n() - 1) + holdoutShare * holdoutShare / (holdout.n() - 1));
        double t = new TDistribution(null, df).inverseCumulativeProbability(0.975);
        return new Estimate(diff, diff - t * se, diff + t * se);
    }

    /**
     * treated − holdout for two ratios of sums (Σ revenue / Σ orders: the pooled average order value the review
     * shows), each ratio's variance by the delta method over its members (a member's orders are not independent of
     * each other), the interval from Student's t with the Welch–Satterthwaite degrees of freedom as for means. None
     * when an arm has no denominator, no interval below 2 members.
     */
    public static Estimate differenceOfRatios(Ratio treated, Ratio holdout) {
        if (treated.denominator() == 0 || holdout.denominator() == 0) {
            return new Estimate(Double.NaN, Double.NaN, Double.NaN);
        }
        double diff = treated.value() - holdout.value();
        if (treated.n() < 2 || holdout.n() < 2) {
            return new Estimate(diff, Double.NaN, Double.NaN);
        }
        double treatedShare = treated.variance();
        double holdoutShare = holdout.variance();
        double se = Math.sqrt(treatedShare + holdoutShare);
        if (se == 0) {
            return new Estimate(diff, diff, diff);
        }
        double df = (treatedShare + holdoutShare) * (treatedShare + holdoutShare)
                / (treatedShare * treatedShare / (treated.n() - 1) + holdoutShare * holdoutShare / (holdout.n() - 1));
        double t = new TDistribution(null, df).inverseCumulativeProbability(0.975);
        return new Estimate(diff, diff - t * se, diff + t * se);
    }

    /**
     * A ratio of sums over n members (Σy / Σx) and its delta-method variance: Σ(yᵢ − R·xᵢ)² / (n(n − 1)·x̄²).
     */
    public record Ratio(long n, double numerator, double denominator, double variance) {
        public double value() {
            return numerator / denominator;
        }

        public static Ratio of(double[] numerators, double[] denominators) {
            int n = numerators.length;
            double y = 0;
            double x = 0;
            for (int i = 0; i < n; i++) {
                y += numerators[i];
                x += denominators[i];
            }
            if (n < 2 || x == 0) {
                return new Ratio(n, y, x, 0);
            }
            double ratio = y / x;
            double squares = 0;
            for (int i = 0; i < n; i++) {
                double residual = numerators[i] - ratio * denominators[i];
                squares += residual * residual;
            }
            double meanDenominator = x / n;
            return new Ratio(n, y, x, squares / ((double) n * (n - 1) * meanDenominator * meanDenominator));
        }
    }

    /** Whether the interval excludes zero. */
    public boolean significant() {
        return !Double.isNaN(low) && (low > 0 || high < 0);
    }

    /** Count, mean and sample variance of a sample. */
    public record Summary(long n, double mean, double variance) {
        public static Summary of(double[] values) {
            int n = values.length;
            if (n == 0) {
                return new Summary(0, 0, 0);
            }
            double mean = 0;
            for (double v : values) {
                mean += v;
            }
            mean /= n;
            double squares = 0;
            for (double v : values) {
                squares += (v - mean) * (v - mean);
            }
            return new Summary(n, mean, n > 1 ? squares / (n - 1) : 0);
        }
    }
}
