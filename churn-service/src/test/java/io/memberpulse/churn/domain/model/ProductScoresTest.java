package io.memberpulse.churn.domain.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.churn.domain.features.Feature;
import io.memberpulse.churn.domain.features.Population;
import io.memberpulse.churn.domain.features.ProductWeights;
import io.memberpulse.churn.domain.features.Snapshot;
import io.memberpulse.churn.domain.metrics.BinaryMetrics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProductScoresTest {
    static final Instant T = Instant.parse("2024-06-01T00:00:00Z");

    /**
     * Members who buy a few of 40 shared products, where buyers of products 0-9 tend to stay and buyers of
     * 30-39 to leave, and one product of their own (seen in no other bag): a regression can memorise a
     * member's own row through it, but learns nothing from it about anyone else.
     */
    static Snapshot members(Instant asOf, int n, long seed) {
        Random random = new Random(seed);
        List<String> ids = new ArrayList<>();
        List<Set<String>> products = new ArrayList<>();
        int[] churned = new int[n];
        double[][] x = new double[n][Feature.COUNT];
        for (int i = 0; i < n; i++) {
            Arrays.fill(x[i], Double.NaN);
            int leaning = random.nextInt(40);
            Set<String> bag = new java.util.HashSet<>(List.of("p" + leaning, "p" + random.nextInt(40), "own" + seed + i));
            double logit = leaning < 10 ? -2.5 : leaning >= 30 ? 2.5 : 0;
            churned[i] = random.nextDouble() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
            ids.add("m" + i);
            products.add(Set.copyOf(bag));
        }
        return new Snapshot(asOf, Population.NONE, ids, x, churned, null, products);
    }

    @Test
    void theProductWeightsRankTheMembersOfProductsThatLose() {
        Snapshot train = members(T, 1500, 1);
        ProductWeights weights = ProductBagFitter.fit(train.products(), train.churned());
        Snapshot test = ProductScores.fillWith(weights, members(T, 600, 2));

        assertThat(weights.products().get("p35")[1]).isGreaterThan(0);
        assertThat(weights.products().get("p5")[1]).isLessThan(0);
        assertThat(BinaryMetrics.auc(column(test), test.churned())).isGreaterThan(0.70);
        assertThat(weights.logOdds(Set.of())).isNaN();
        assertThat(ProductWeights.NONE.logOdds(Set.of("p1"))).isNaN();
        // a product no training member bought weighs nothing, but still dilutes the bag
        assertThat(weights.logOdds(Set.of("p35", "never-sold"))).isBetween(weights.bias(), weights.logOdds(Set.of("p35")));
    }

    @Test
    void trainingRowsAreScoredOutOfFoldSoTheirOwnProductsTeachNothing() {
        Snapshot first = members(T, 800, 3);
        Snapshot second = members(T.plusSeconds(14 * 86_400L), 800, 3); // the same members two weeks on
        ProductScores scores = ProductScores.fit(List.of(first, second));
        Snapshot filled = scores.fill(first);
        Snapshot inSample = ProductScores.fillWith(scores.weights(), first);

        // fitted on its own rows, the members' own products give part of the labels away ...
        double inSampleAuc = BinaryMetrics.auc(column(inSample), first.churned());
        double outOfFoldAuc = BinaryMetrics.auc(column(filled), first.churned());
        System.out.printf(java.util.Locale.ROOT, "product bags: AUC in sample %.3f, out of fold %.3f%n", inSampleAuc,
                outOfFoldAuc);
        // ... out of fold (a member's rows at both cut-offs in one fold) only the shared products speak
        assertThat(outOfFoldAuc).isGreaterThan(0.6).isLessThan(inSampleAuc - 0.05);
        assertThat(first.features()[0][Feature.PRODUCT_BAG_CHURN.ordinal()]).as("left as it was").isNaN();
        // a snapshot it was not fitted on is scored by the fit on all rows
        Snapshot later = members(T.plusSeconds(90 * 86_400L), 300, 4);
        assertThat(column(scores.fill(later))).containsExactly(column(ProductScores.fillWith(scores.weights(), later)));
    }

    @Test
    void tooFewRowsOrNoProductsLeaveTheColumnUndefined() {
        Snapshot few = members(T, 50, 5);
        assertThat(ProductBagFitter.fit(few.products(), few.churned())).isSameAs(ProductWeights.NONE);
        Snapshot noProducts = new Snapshot(T, Population.NONE, few.memberIds(), few.features(), few.churned());
        assertThat(Arrays.stream(column(ProductScores.fit(List.of(noProducts)).fill(noProducts))).allMatch(Double::isNaN))
                .isTrue();
    }

    @Test
    void aPopulationKeepsItsProductWeightsThroughSaveAndLoad() {
        Snapshot train = members(T, 500, 6);
        ProductWeights weights = ProductBagFitter.fit(train.products(), train.churned());
        Population population = Population.NONE.withProductWeights(weights);
        Population loaded = Population.fromBytes(population.toBytes());
        assertThat(loaded.productWeights().logOdds(Set.of("p3", "p33"))).isEqualTo(weights.logOdds(Set.of("p3", "p33")));
        assertThat(Population.fromBytes(Population.NONE.toBytes()).productWeights()).isSameAs(ProductWeights.NONE);
    }

    static double[] column(Snapshot snapshot) {
        return Arrays.stream(snapshot.features()).mapToDouble(row -> row[Feature.PRODUCT_BAG_CHURN.ordinal()]).toArray();
    }
}
