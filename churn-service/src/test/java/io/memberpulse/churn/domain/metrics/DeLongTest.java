package io.memberpulse.churn.domain.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class DeLongTest {

    /** The 1988 definition pair by pair (O(m n)), to hold the mid-rank computation against. */
    private static double[] bruteForce(double[] a, double[] b, int[] labels) {
        int m = 0;
        for (int y : labels) {
            m += y;
        }
        int n = labels.length - m;
        double[][] scores = {a, b};
        double[][] v10 = new double[2][m];
        double[][] v01 = new double[2][n];
        double[] auc = new double[2];
        for (int r = 0; r < 2; r++) {
            int p = 0;
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] != 1) {
                    continue;
                }
                int q = 0;
                for (int j = 0; j < labels.length; j++) {
                    if (labels[j] != 0) {
                        continue;
                    }
                    double psi = scores[r][i] > scores[r][j] ? 1 : scores[r][i] == scores[r][j] ? 0.5 : 0;
                    v10[r][p] += psi / n;
                    v01[r][q] += psi / m;
                    auc[r] += psi / ((double) m * n);
                    q++;
                }
                p++;
            }
        }
        double[][] s10 = new double[2][2];
        double[][] s01 = new double[2][2];
        for (int r = 0; r < 2; r++) {
            for (int s = 0; s < 2; s++) {
                s10[r][s] = cov(v10[r], v10[s], auc[r], auc[s]);
                s01[r][s] = cov(v01[r], v01[s], auc[r], auc[s]);
            }
        }
        double varA = s10[0][0] / m + s01[0][0] / n;
        double varDiff = (s10[0][0] + s10[1][1] - 2 * s10[0][1]) / m + (s01[0][0] + s01[1][1] - 2 * s01[0][1]) / n;
        return new double[] {auc[0], Math.sqrt(varA), auc[0] - auc[1], Math.sqrt(varDiff)};
    }

    private static double cov(double[] x, double[] y, double meanX, double meanY) {
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            sum += (x[i] - meanX) * (y[i] - meanY);
        }
        return sum / (x.length - 1);
    }

    @Test
    void midRanksGiveTheSameVarianceAsThePairByPairDefinitionWithTies() {
        Random random = new Random(7);
        int size = 600;
        int[] labels = new int[size];
        double[] a = new double[size];
        double[] b = new double[size];
        for (int i = 0; i < size; i++) {
            labels[i] = random.nextDouble() < 0.4 ? 1 : 0;
            // one decimal: many ties, as calibrated probabilities and rule scores have
            a[i] = Math.round((labels[i] * 0.8 + random.nextGaussian()) * 10) / 10.0;
            b[i] = Math.round((a[i] + random.nextGaussian()) * 10) / 10.0;
        }
        double[] expected = bruteForce(a, b, labels);

        DeLong.Estimate auc = DeLong.auc(a, labels);
        DeLong.Estimate difference = DeLong.difference(a, b, labels);

        assertThat(auc.value()).isCloseTo(expected[0], within(1e-12)).isCloseTo(BinaryMetrics.auc(a, labels), within(1e-12));
        assertThat(auc.standardError()).isCloseTo(expected[1], within(1e-12));
        assertThat(auc.low()).isCloseTo(auc.value() - 1.959964 * auc.standardError(), within(1e-6));
        assertThat(auc.high()).isCloseTo(auc.value() + 1.959964 * auc.standardError(), within(1e-6));
        assertThat(difference.value()).isCloseTo(expected[2], within(1e-12));
        assertThat(difference.standardError()).isCloseTo(expected[3], within(1e-12));
    }

    @Test
    void ninetyFivePercentIntervalsCoverTheTrueAucAboutNinetyFiveTimesInAHundred() {
        // churners' scores N(1, 1), the others' N(0, 1): true AUC = Phi(1 / sqrt 2) = 0.76025
        double trueAuc = 0.7602499389065233;
        Random random = new Random(11);
        int covered = 0;
        int trials = 400;
        for (int t = 0; t < trials; t++) {
            int[] labels = new int[300];
            double[] scores = new double[300];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = random.nextDouble() < 0.43 ? 1 : 0;
                scores[i] = labels[i] + random.nextGaussian();
            }
            DeLong.Estimate estimate = DeLong.auc(scores, labels);
            if (estimate.low() <= trueAuc && trueAuc <= estimate.high()) {
                covered++;
            }
        }
        // 400 trials: the share's standard deviation is 0.011 around 0.95
        assertThat(covered / (double) trials).isBetween(0.92, 0.98);
    }

    @Test
    void aDifferenceBetweenCorrelatedModelsIsSurerThanTheirTwoIntervalsSuggest() {
        Random random = new Random(3);
        int[] labels = new int[2_000];
        double[] a = new double[labels.length];
        double[] b = new double[labels.length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = random.nextDouble() < 0.43 ? 1 : 0;
            a[i] = labels[i] * 0.9 + random.nextGaussian();
            b[i] = a[i] + 0.3 * random.nextGaussian();
        }
        DeLong.Estimate first = DeLong.auc(a, labels);
        DeLong.Estimate second = DeLong.auc(b, labels);
        DeLong.Estimate difference = DeLong.difference(a, b, labels);

        assertThat(difference.value()).isCloseTo(first.value() - second.value(), within(1e-12));
        double asIfIndependent = Math.hypot(first.standardError(), second.standardError());
        assertThat(difference.standardError()).isLessThan(asIfIndependent / 2);
        // the noisier copy is worse, and the paired interval is sure of it
        assertThat(difference.low()).isGreaterThan(0);
        assertThat(DeLong.difference(a, a, labels).standardError()).isZero();
    }

    @Test
    void withOneClassAbsentThereIsNoEstimate() {
        DeLong.Estimate estimate = DeLong.auc(new double[] {0.1, 0.5, 0.9}, new int[] {1, 1, 1});
        assertThat(estimate.value()).isNaN();
        assertThat(estimate.low()).isNaN();
    }

    @Test
    void midRanksAverageTies() {
        assertThat(BinaryMetrics.midRanks(new double[] {0.5, 0.1, 0.5, 0.9})).containsExactly(2.5, 1, 2.5, 4);
    }
}
