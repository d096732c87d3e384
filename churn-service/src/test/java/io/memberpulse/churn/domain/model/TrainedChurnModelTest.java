package io.memberpulse.churn.domain.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.churn.domain.features.Feature;
import io.memberpulse.churn.domain.features.FeatureExtractor;
import io.memberpulse.churn.domain.features.Population;
import io.memberpulse.churn.domain.features.ProductWeights;
import io.memberpulse.churn.domain.features.Snapshot;
import io.memberpulse.churn.domain.metrics.BinaryMetrics;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TrainedChurnModelTest {
    /** Buyers of "gift" churn, buyers of "staple" come back: the serving version's product-bag regression. */
    static final ProductWeights SERVING = new ProductWeights(Map.of("gift", new double[] {1, 2},
            "staple", new double[] {1, -2}), 0, 1);
    /** A later run's regression, which learnt the opposite (a season turned): the window's column is filled with it. */
    static final ProductWeights CANDIDATE = new ProductWeights(Map.of("gift", new double[] {1, -2},
            "staple", new double[] {1, 2}), 0, 1);

    @Test
    void aVersionIsGradedOnTheProductBagColumnItsOwnRegressionBuilds() {
        Snapshot training = ProductScores.fillWith(SERVING, members(600, 1));
        ChurnClassifier classifier = ChurnClassifier.train(ModelKind.GBT, training.features(), training.churned());
        TrainedChurnModel serving = new TrainedChurnModel("serving", classifier,
                Population.NONE.withProductWeights(SERVING), new FeatureExtractor(90, 60, ZoneOffset.UTC));
        Snapshot window = ProductScores.fillWith(CANDIDATE, members(300, 2)); // as a run's validation window is

        double own = BinaryMetrics.auc(classifier.predict(ProductScores.fillWith(SERVING, window).features()),
                window.churned());
        double onTheCandidatesColumn = BinaryMetrics.auc(classifier.predict(window.features()), window.churned());
        assertThat(serving.aucOn(window)).isEqualTo(own);
        assertThat(own).isGreaterThan(0.7).isGreaterThan(onTheCandidatesColumn + 0.3);
        assertThat(window.features()[0][Feature.PRODUCT_BAG_CHURN.ordinal()])
                .as("the window itself is left as the run built it")
                .isEqualTo(CANDIDATE.logOdds(window.products().get(0)));
    }

    /** Members who bought "gift" (80% churn) or "staple" (20%), with a recency that says nothing. */
    static Snapshot members(int n, long seed) {
        Random random = new Random(seed);
        double[][] x = new double[n][Feature.COUNT];
        int[] y = new int[n];
        List<String> ids = new ArrayList<>();
        List<Set<String>> products = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Arrays.fill(x[i], Double.NaN);
            x[i][Feature.RECENCY_DAYS.ordinal()] = random.nextDouble() * 200;
            boolean gift = random.nextBoolean();
            products.add(Set.of(gift ? "gift" : "staple"));
            y[i] = random.nextDouble() < (gift ? 0.8 : 0.2) ? 1 : 0;
            ids.add("m" + i);
        }
        return new Snapshot(Instant.EPOCH, Population.NONE, ids, x, y, null, products);
    }
}
