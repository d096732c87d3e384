package io.memberpulse.campaign.domain.experiment;

/** A difference between arms with its 95% confidence interval. */
public record Estimate(double value, double low, double high) {
    static final double Z95 = 1.959963984540054;

    /** treated − holdout for two proportions (Wald interval on the difference). */
    public static Estimate differenceOfProportions(long treatedHits, long treatedN, long holdoutHits, long holdoutN) {
        if (treatedN == 0 || holdoutN == 0) {
            return new Estimate(Double.NaN, Double.NaN, Double.NaN);
        }
        double p1 = (double) treatedHits / treatedN;
        double p0 = (double) holdoutHits / holdoutN;
        double se = Math.sqrt(p1 * (1 - p1) / treatedN + p0 * (1 - p0) / holdoutN);
        double diff = p1 - p0;
        return new Estimate(diff, diff - Z95 * se, diff + Z95 * se);
    }

    /** treated − holdout for two means (Welch: unequal variances); none when an arm is empty, no interval below 2. */
    public static Estimate differenceOfMeans(Summary treated, Summary holdout) {
        if (treated.n() == 0 || holdout.n() == 0) {
            // An empty arm has no mean: its 0 would pass the other arm's whole mean off as the uplift.
            return new Estimate(Double.NaN, Double.NaN, Double.NaN);
        }
        if (treated.n() < 2 || holdout.n() < 2) {
            return new Estimate(treated.mean() - holdout.mean(), Double.NaN, Double.NaN);
        }
        double se = Math.sqrt(treated.variance() / treated.n() + holdout.variance() / holdout.n());
        double diff = treated.mean() - holdout.mean();
        return new Estimate(diff, diff - Z95 * se, diff + Z95 * se);
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
