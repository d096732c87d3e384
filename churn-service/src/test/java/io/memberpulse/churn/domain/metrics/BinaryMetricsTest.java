package io.memberpulse.churn.domain.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.memberpulse.churn.domain.WhatIfRoi;
import java.util.List;
import org.junit.jupiter.api.Test;

class BinaryMetricsTest {
    // Ten members, riskiest first; four churned (1).
    static final double[] SCORES = {0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05};
    static final int[] CHURNED = {1, 1, 0, 1, 0, 0, 1, 0, 0, 0};

    @Test
    void aucCountsCorrectlyOrderedPairsAndHalfOfTies() {
        // Pairs (churner, stayer) ordered right: 6 + 6 + 5 + 3 = 20 of 4 * 6 = 24.
        assertThat(BinaryMetrics.auc(SCORES, CHURNED)).isCloseTo(20 / 24.0, within(1e-12));
        assertThat(BinaryMetrics.auc(new double[] {0.5, 0.5, 0.5}, new int[] {1, 0, 0})).isCloseTo(0.5, within(1e-12));
        assertThat(BinaryMetrics.auc(new double[] {0.2, 0.8}, new int[] {1, 0})).isZero();
        assertThat(BinaryMetrics.auc(new double[] {0.2, 0.8}, new int[] {1, 1})).isNaN();
    }

    @Test
    void recallLiftAndPrecisionInTheTop() {
        // Top 20% = 2 members, both churned: recall 2/4, precision 1, lift 1 / 0.4.
        assertThat(BinaryMetrics.recallAt(SCORES, CHURNED, 0.2)).isCloseTo(0.5, within(1e-12));
        assertThat(BinaryMetrics.precisionAt(SCORES, CHURNED, 0.2)).isCloseTo(1, within(1e-12));
        assertThat(BinaryMetrics.liftAt(SCORES, CHURNED, 0.2)).isCloseTo(2.5, within(1e-12));
        // Top 10% = 1 member; top 40% = 4 members, 3 churned.
        assertThat(BinaryMetrics.precisionAt(SCORES, CHURNED, 0.1)).isCloseTo(1, within(1e-12));
        assertThat(BinaryMetrics.precisionAt(SCORES, CHURNED, 0.4)).isCloseTo(0.75, within(1e-12));
        assertThat(BinaryMetrics.recallAt(SCORES, CHURNED, 1.0)).isCloseTo(1, within(1e-12));
    }

    @Test
    void brierAndReliability() {
        double[] p = {0.9, 0.9, 0.1, 0.1, 0.55};
        int[] y = {1, 0, 0, 0, 1};
        assertThat(BinaryMetrics.brier(p, y)).isCloseTo((0.01 + 0.81 + 0.01 + 0.01 + 0.2025) / 5, within(1e-12));
        List<BinaryMetrics.Bin> bins = BinaryMetrics.reliability(p, y, 10);
        assertThat(bins).hasSize(3);
        assertThat(bins.get(0)).isEqualTo(new BinaryMetrics.Bin(0.1, 0.2, 2, 0.1, 0));
        assertThat(bins.get(1).count()).isEqualTo(1);
        assertThat(bins.get(2).from()).isCloseTo(0.9, within(1e-12));
        assertThat(bins.get(2).observedRate()).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void expectedProfitOfACampaignDownTheList() {
        ProfitCurve care = new ProfitCurve(2.25, 0.08, 60); // 8% of each churner touched: ¥4.80 gained per one
        // Top 20% of 10: 2 touched, both churners: 2 * 4.8 - 2 * 2.25 = 5.1 per 10 members = 510 per 1,000.
        assertThat(care.profitPerThousand(SCORES, CHURNED, 0.2)).isCloseTo(510, within(1e-9));
        // Top 40%: 3 churners of 4 touched: 14.4 - 9 = 5.4 per 10 members.
        assertThat(care.profitPerThousand(SCORES, CHURNED, 0.4)).isCloseTo(540, within(1e-9));
        ProfitCurve.Best best = care.best(SCORES, CHURNED);
        assertThat(best.share()).isCloseTo(0.4, within(1e-9));
        assertThat(best.profitPerThousand()).isCloseTo(540, within(1e-9));
    }

    @Test
    void domainExampleOneDownARankedListOnceItsRateIsPerChurner() {
        // 1,000 members ranked; the top 20% (200) hold 105 churners: precision 52.5%, as churn rate 25% × lift 2.1.
        double[] scores = new double[1000];
        int[] churned = new int[1000];
        for (int i = 0; i < 1000; i++) {
            scores[i] = 1 - i / 1000.0;
            churned[i] = i < 105 || (i >= 250 && i < 400) ? 1 : 0;
        }
        // DOMAIN.md example 1 (¥2.25 per member touched, 8% of the targeted won back, ¥60 each) is ¥96,000 gained and
        // ¥45,000 spent per 100,000 members: ¥510 per 1,000. Its 8% per targeted member is 8% / 52.5% per churner.
        ProfitCurve domain = new ProfitCurve(2.25, WhatIfRoi.winBackPerChurner(0.08, 105 / 200.0), 60);
        assertThat(domain.profitPerThousand(scores, churned, 0.2)).isCloseTo((96_000 - 45_000) / 100.0, within(1e-9));
        // the reports' curve takes DOMAIN's costs and value with 8% of the touched churners: not DOMAIN's example
        assertThat(ProfitCurve.AUTOMATED_CARE.winBackPerChurner()).isEqualTo(0.08);
        assertThat(ProfitCurve.AUTOMATED_CARE.profitPerThousand(scores, churned, 0.2))
                .isCloseTo((105 * 0.08 * 60 - 200 * 2.25) * 1000 / 1000, within(1e-9));
    }

    @Test
    void modelMetricsGatherEverything() {
        ModelMetrics m = ModelMetrics.of(SCORES, CHURNED);
        assertThat(m.members()).isEqualTo(10);
        assertThat(m.churnRate()).isCloseTo(0.4, within(1e-12));
        assertThat(m.auc()).isCloseTo(20 / 24.0, within(1e-12));
        assertThat(m.liftAt20()).isCloseTo(2.5, within(1e-12));
        assertThat(m.reliability()).isNotEmpty();
    }
}
