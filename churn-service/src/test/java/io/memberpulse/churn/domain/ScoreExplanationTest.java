package io.memberpulse.churn.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.memberpulse.churn.domain.features.Feature;
import io.memberpulse.churn.domain.features.FeatureLabel;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ScoreExplanationTest {
    private static final ChurnScore SCORE = new ChurnScore("m1", 0.8, "v1", Instant.parse("2026-01-01T00:00:00Z"), 90,
            "s1", 120, 40.0, 20.0);

    @Test
    void theLargestContributionsComeFirstWhateverTheirSignAndTheRestIsSummed() {
        double[] features = new double[Feature.COUNT];
        Arrays.fill(features, Double.NaN);
        features[Feature.RECENCY_DAYS.ordinal()] = 40;
        features[Feature.ORDERS.ordinal()] = Math.log1p(3);
        double[] contributions = new double[Feature.COUNT];
        contributions[Feature.RECENCY_DAYS.ordinal()] = 0.9;
        contributions[Feature.ORDERS.ordinal()] = -1.2;
        contributions[Feature.REVIEWS.ordinal()] = 0.1;
        contributions[Feature.GAP_MEAN.ordinal()] = -0.05;

        ScoreExplanation e = ScoreExplanation.of(SCORE, "lr", features, 0.79, -0.3, contributions, true, 2);

        assertThat(e.features()).extracting(ScoreExplanation.FeatureContribution::feature)
                .containsExactly("orders", "recency_days");
        assertThat(e.features().get(0).value()).isCloseTo(3, within(1e-9)); // back from log1p: orders
        assertThat(e.features().get(0).label()).isEqualTo(FeatureLabel.of(Feature.ORDERS).text());
        assertThat(e.features().get(0).contribution()).isEqualTo(-1.2);
        assertThat(e.otherLogOdds()).isCloseTo(0.05, within(1e-12));
        assertThat(e.explainedProbability()).isCloseTo(1 / (1 + Math.exp(-(-0.3 + 0.9 - 1.2 + 0.1 - 0.05))), within(1e-12));
        assertThat(e.probability()).isEqualTo(0.8);
        assertThat(e.recomputedProbability()).isEqualTo(0.79);
        // a feature the member has no value for (no review) is given as null, never NaN
        assertThat(ScoreExplanation.of(SCORE, "lr", features, 0.79, 0, contributions, true, 3).features().get(2).value()).isNull();
    }

    @Test
    void theRhythmBaselineGivesItsInputsWithoutContributions() {
        ScoreExplanation e = ScoreExplanation.ofRhythm(SCORE);
        assertThat(e.modelKind()).isEqualTo("rhythm");
        assertThat(e.features()).extracting(ScoreExplanation.FeatureContribution::value).containsExactly(40.0, 20.0);
        assertThat(e.features()).allSatisfy(f -> assertThat(f.contribution()).isNull());
        assertThat(e.baseLogOdds()).isNull();
        assertThat(e.recomputedProbability()).isNull();
        assertThat(e.exact()).isFalse();
    }
}
