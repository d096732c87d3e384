package io.memberpulse.churn.domain.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.memberpulse.churn.domain.features.Feature;
import io.memberpulse.churn.domain.features.Snapshot;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Per-member contributions add up to each model's own log-odds: sigmoid(base + Σ) is its probability. */
class ContributionsTest {
    private static final Snapshot TRAIN = ChurnClassifierTest.synthetic(Instant.EPOCH, 800, 11);
    private static final Snapshot MEMBERS = ChurnClassifierTest.synthetic(Instant.EPOCH, 50, 12);

    @Test
    void linearContributionsAddUpToTheModelsProbabilityAndFollowTheSignal() {
        ChurnClassifier lr = ChurnClassifier.train(ModelKind.LR, TRAIN.features(), TRAIN.churned());
        assertAddsUp(lr);
        // churn rises with recency: a long-absent member's recency raises the risk, a recent one's lowers it
        double[] absent = MEMBERS.features()[0].clone();
        double[] recent = absent.clone();
        absent[Feature.RECENCY_DAYS.ordinal()] = 190;
        absent[Feature.LOG_RECENCY.ordinal()] = Math.log1p(190);
        recent[Feature.RECENCY_DAYS.ordinal()] = 2;
        recent[Feature.LOG_RECENCY.ordinal()] = Math.log1p(2);
        assertThat(recency(lr.contributions(absent))).isGreaterThan(recency(lr.contributions(recent)));
    }

    @Test
    void treeContributionsAddUpToTheModelsProbability() {
        ChurnClassifier gbt = ChurnClassifier.train(ModelKind.GBT, TRAIN.features(), TRAIN.churned());
        assertAddsUp(gbt);
        // features the trees never read add nothing
        Contributions c = gbt.contributions(MEMBERS.features()[0]);
        assertThat(c.byFeature()[Feature.REVIEWS.ordinal()]).isZero();
    }

    @Test
    void treesGrownFromBgNbdCountItsLogOddsAsItsFeaturesContribution() {
        ChurnClassifier gbtBgNbd = ChurnClassifier.train(ModelKind.GBT_BGNBD, TRAIN.features(), TRAIN.churned());
        assertAddsUp(gbtBgNbd);
        // XGBoost puts each row's base margin (BG/NBD's log-odds) into the bias: it is moved to BG/NBD's feature, so
        // the base is the trees' expected log-odds, the same for every member
        double base = gbtBgNbd.contributions(MEMBERS.features()[0]).base();
        for (double[] member : MEMBERS.features()) {
            assertThat(gbtBgNbd.contributions(member).base()).isCloseTo(base, within(1e-5)); // float32 sums
        }
    }

    @Test
    void aBlendWeighsItsPartsAndSaysItIsAnApproximation() {
        ChurnClassifier lr = ChurnClassifier.train(ModelKind.LR, TRAIN.features(), TRAIN.churned());
        ChurnClassifier trees = ChurnClassifier.train(ModelKind.GBT_BGNBD, TRAIN.features(), TRAIN.churned());
        ChurnClassifier blend = ChurnClassifier.blendOf(lr, trees);
        for (double[] member : MEMBERS.features()) {
            Contributions c = blend.contributions(member);
            assertThat(c.exact()).isFalse();
            Contributions a = lr.contributions(member);
            Contributions b = trees.contributions(member);
            assertThat(c.logOdds()).isCloseTo((a.logOdds() + b.logOdds()) / 2, within(1e-9));
            for (int j = 0; j < Feature.COUNT; j++) {
                assertThat(c.byFeature()[j]).isCloseTo((a.byFeature()[j] + b.byFeature()[j]) / 2, within(1e-9));
            }
            // the mean of the parts' log-odds against the mean of their probabilities: close, not equal
            assertThat(sigmoid(c.logOdds())).isCloseTo(blend.predict(new double[][] {member})[0], within(0.15));
        }
    }

    private static void assertAddsUp(ChurnClassifier model) {
        double[] p = model.predict(MEMBERS.features());
        for (int i = 0; i < p.length; i++) {
            Contributions c = model.contributions(MEMBERS.features()[i]);
            assertThat(c.exact()).isTrue();
            assertThat(c.byFeature()).hasSize(Feature.COUNT);
            assertThat(sigmoid(c.logOdds())).as("member %d", i).isCloseTo(p[i], within(1e-5));
        }
    }

    private static double recency(Contributions c) {
        return c.byFeature()[Feature.RECENCY_DAYS.ordinal()] + c.byFeature()[Feature.LOG_RECENCY.ordinal()];
    }

    static double sigmoid(double logOdds) {
        return 1 / (1 + Math.exp(-logOdds));
    }
}
