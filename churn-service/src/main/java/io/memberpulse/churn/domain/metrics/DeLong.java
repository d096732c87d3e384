package io.memberpulse.churn.domain.metrics;

import java.util.Arrays;

/**
 * How sure an AUC is: DeLong, DeLong and Clarke-Pearson's (1988) variance of the Mann-Whitney AUC, computed
 * from mid-ranks as Sun and Xu (2014) do, in O(n log n). One AUC gets a 95% interval; two models scored on
 * the same members get the interval of their difference, which accounts for their scores being correlated
 * (a plain comparison of two intervals would not). No maintained Java library computes it.
 */
public final class DeLong {
    /** Two-sided 95% normal quantile. */
    private static final double Z95 = 1.959963984540054;

    private DeLong() {
    }

    /** An estimate with its standard error and 95% interval (for one AUC clipped to [0, 1]). */
    public record Estimate(double value, double standardError, double low, double high) {
    }

    /** The AUC of the scores (1 = churned) and its 95% interval; NaN throughout when one class is absent. */
    public static Estimate auc(double[] scores, int[] labels) {
        Components c = components(new double[][] {scores}, labels);
        if (c == null) {
            return new Estimate(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double se = Math.sqrt(c.covariance(0, 0));
        return new Estimate(c.auc[0], se, Math.max(0, c.auc[0] - Z95 * se), Math.min(1, c.auc[0] + Z95 * se));
    }

    /** AUC(a) - AUC(b) over the same members, with the 95% interval of the difference. */
    public static Estimate difference(double[] a, double[] b, int[] labels) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("both models must score the same members");
        }
        Components c = components(new double[][] {a, b}, labels);
        if (c == null) {
            return new Estimate(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double difference = c.auc[0] - c.auc[1];
        double variance = c.covariance(0, 0) + c.covariance(1, 1) - 2 * c.covariance(0, 1);
        double se = Math.sqrt(Math.max(0, variance));
        return new Estimate(difference, se, difference - Z95 * se, difference + Z95 * se);
    }

    /** Each model's AUC and structural components: v10 per positive, v01 per negative. */
    private record Components(double[] auc, double[][] v10, double[][] v01) {

        double covariance(int r, int s) {
            return sampleCovariance(v10[r], v10[s]) / v10[r].length + sampleCovariance(v01[r], v01[s]) / v01[r].length;
        }
    }

    private static Components components(double[][] models, int[] labels) {
        int m = 0;
        for (int y : labels) {
            if (y != 0 && y != 1) {
                throw new IllegalArgumentException("labels must be 0 or 1");
            }
            m += y;
        }
        int n = labels.length - m;
        if (m < 2 || n < 2) {
            return null;
        }
        double[] auc = new double[models.length];
        double[][] v10 = new double[models.length][m];
        double[][] v01 = new double[models.length][n];
        for (int r = 0; r < models.length; r++) {
            double[] scores = models[r];
            if (scores.length != labels.length) {
                throw new IllegalArgumentException("scores and labels must be of one length");
            }
            double[] positives = new double[m];
            double[] negatives = new double[n];
            int p = 0, q = 0;
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] == 1) {
                    positives[p++] = scores[i];
                } else {
                    negatives[q++] = scores[i];
                }
            }
            double[] all = BinaryMetrics.midRanks(scores);
            double[] withinPositives = BinaryMetrics.midRanks(positives);
            double[] withinNegatives = BinaryMetrics.midRanks(negatives);
            p = 0;
            q = 0;
            double sum = 0;
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] == 1) {
                    // negatives ranked below this positive (ties half): its share of pairs won
                    v10[r][p] = (all[i] - withinPositives[p]) / n;
                    sum += all[i] - withinPositives[p];
                    p++;
                } else {
                    // positives ranked above this negative
                    v01[r][q] = 1 - (all[i] - withinNegatives[q]) / m;
                    q++;
                }
            }
            auc[r] = sum / ((double) m * n);
        }
        return new Components(auc, v10, v01);
    }

    private static double sampleCovariance(double[] x, double[] y) {
        double meanX = Arrays.stream(x).average().orElse(0);
        double meanY = Arrays.stream(y).average().orElse(0);
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            sum += (x[i] - meanX) * (y[i] - meanY);
        }
        return sum / (x.length - 1);
    }
}
