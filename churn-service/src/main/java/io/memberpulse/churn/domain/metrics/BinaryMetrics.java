package io.memberpulse.churn.domain.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Ranking and calibration measures of churn scores against outcomes (1 = churned). "Top share s"
 * means the ceil(s · n) highest scores, ties broken by position (a stable order), as a call list is cut.
 */
public final class BinaryMetrics {
    private BinaryMetrics() {
    }

    /** Area under the ROC curve (Mann-Whitney, ties counted half); NaN when one class is absent. */
    public static double auc(double[] scores, int[] labels) {
        check(scores, labels);
        double[] ranks = midRanks(scores);
        double rankSumPositives = 0;
        long positives = 0;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == 1) {
                rankSumPositives += ranks[i];
                positives++;
            }
        }
        long negatives = labels.length - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        return (rankSumPositives - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }

    /** 1-based ranks, ties given the mean of the ranks they span. */
    static double[] midRanks(double[] values) {
        Integer[] order = byScoreAscending(values);
        double[] ranks = new double[values.length];
        int i = 0;
        while (i < order.length) {
            int j = i;
            while (j + 1 < order.length && values[order[j + 1]] == values[order[i]]) {
                j++;
            }
            double mid = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                ranks[order[k]] = mid;
            }
            i = j + 1;
        }
        return ranks;
    }

    /** Share of all churners found in the top share. */
    public static double recallAt(double[] scores, int[] labels, double share) {
        long positives = Arrays.stream(labels).filter(y -> y == 1).count();
        return positives == 0 ? Double.NaN : positivesInTop(scores, labels, share) / (double) positives;
    }

    /** Share of churners among the top share. */
    public static double precisionAt(double[] scores, int[] labels, double share) {
        return positivesInTop(scores, labels, share) / (double) topCount(labels.length, share);
    }

    /** Precision in the top share over the base rate: how much richer in churners the list is than chance. */
    public static double liftAt(double[] scores, int[] labels, double share) {
        double base = Arrays.stream(labels).average().orElse(Double.NaN);
        return base > 0 ? precisionAt(scores, labels, share) / base : Double.NaN;
    }

    /** Mean squared error of the probabilities. */
    public static double brier(double[] probabilities, int[] labels) {
        check(probabilities, labels);
        double sum = 0;
        for (int i = 0; i < labels.length; i++) {
            double d = probabilities[i] - labels[i];
            sum += d * d;
        }
        return sum / labels.length;
    }

    /** One bin of a reliability diagram: predicted [from, to), members, mean predicted, observed churn rate. */
    public record Bin(double from, double to, int count, double meanPredicted, double observedRate) {
    }

    /** Equal-width reliability bins over [0, 1]; empty bins are left out. */
    public static List<Bin> reliability(double[] probabilities, int[] labels, int bins) {
        check(probabilities, labels);
        int[] counts = new int[bins];
        double[] predicted = new double[bins];
        double[] observed = new double[bins];
        for (int i = 0; i < labels.length; i++) {
            int b = Math.min(bins - 1, Math.max(0, (int) (probabilities[i] * bins)));
            counts[b]++;
            predicted[b] += probabilities[i];
            observed[b] += labels[i];
        }
        List<Bin> result = new ArrayList<>();
        for (int b = 0; b < bins; b++) {
            if (counts[b] > 0) {
                result.add(new Bin(b / (double) bins, (b + 1) / (double) bins, counts[b], predicted[b] / counts[b],
                        observed[b] / counts[b]));
            }
        }
        return result;
    }

    static int topCount(int n, double share) {
        if (!(share > 0 && share <= 1)) {
            throw new IllegalArgumentException("share must be within (0, 1]: " + share);
        }
        return Math.max(1, (int) Math.ceil(share * n - 1e-9));
    }

    static int positivesInTop(double[] scores, int[] labels, double share) {
        check(scores, labels);
        Integer[] order = byScoreAscending(scores);
        int k = topCount(labels.length, share);
        int found = 0;
        for (int i = order.length - 1; i >= order.length - k; i--) {
            found += labels[order[i]];
        }
        return found;
    }

    static Integer[] byScoreAscending(double[] scores) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> scores[i]).thenComparing(i -> -i));
        return order;
    }

    private static void check(double[] scores, int[] labels) {
        if (scores.length != labels.length || labels.length == 0) {
            throw new IllegalArgumentException("scores and labels must be non-empty and of one length");
        }
        for (int y : labels) {
            if (y != 0 && y != 1) {
                throw new IllegalArgumentException("labels must be 0 or 1");
            }
        }
    }
}
