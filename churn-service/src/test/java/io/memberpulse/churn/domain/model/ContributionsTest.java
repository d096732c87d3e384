package io.memberpulse.churn.domain.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.memberpulse.churn.domain.features.Activity;
import io.memberpulse.churn.domain.features.Feature;
import io.memberpulse.churn.domain.features.FeatureExtractor;
import io.memberpulse.churn.domain.features.Population;
import io.memberpulse.churn.domain.features.StockOuts;
import io.memberpulse.churn.domain.features.Snapshot;
import io.memberpulse.churn.testdata.HistoryBuilder;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
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

    /** What the explanation endpoint does: the member's vector built as scoring builds it, then its contributions. */
    @Test
    void aSingleModelsExplanationOfAMemberReproducesTheProbabilityItScores() {
        FeatureExtractor extractor = new FeatureExtractor(90, 60, ZoneId.of("UTC"));
        List<Activity> history = HistoryBuilder.member().order(12, 40).order(45, 25).order(100, 60).refund(30, 5).build();
        for (ModelKind kind : List.of(ModelKind.LR, ModelKind.GBT, ModelKind.GBT_BGNBD)) {
            TrainedChurnModel model = new TrainedChurnModel("v-" + kind.key(),
                    ChurnClassifier.train(kind, TRAIN.features(), TRAIN.churned()), Population.NONE, extractor);
            double scored = model.score(history, HistoryBuilder.T).orElseThrow();
            TrainedChurnModel.Explained explained = model.explain(history, StockOuts.NONE, HistoryBuilder.T).orElseThrow();
            assertThat(explained.features()[Feature.RECENCY_DAYS.ordinal()]).isCloseTo(12, within(1e-6));
            assertThat(explained.probability()).as(kind.key()).isEqualTo(scored);
            assertThat(sigmoid(explained.contributions().logOdds())).as(kind.key()).isCloseTo(scored, within(1e-5));
        }
        // nothing bought by then: nothing to explain, as nothing is scored
        assertThat(new TrainedChurnModel("v", ChurnClassifier.train(ModelKind.LR, TRAIN.features(), TRAIN.churned()),
                Population.NONE, extractor).explain(history, StockOuts.NONE, HistoryBuilder.daysBefore(200))).isEmpty();
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
