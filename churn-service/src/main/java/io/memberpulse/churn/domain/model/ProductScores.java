package io.memberpulse.churn.domain.model;

import io.memberpulse.churn.domain.features.Feature;
import io.memberpulse.churn.domain.features.ProductWeights;
import io.memberpulse.churn.domain.features.Snapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@link Feature#PRODUCT_BAG_CHURN} column of a training run's snapshots. The product-bag regression
 * is fitted on the labelled training snapshots; their own rows get the score of a fit that did not see
 * the member ({@value #FOLDS} folds by member, so one member's rows at several cut-offs share a fold),
 * lest the models on top trust a score that has memorised its rows; every other snapshot gets the score
 * of the fit on all of them.
 */
final class ProductScores {
    static final int FOLDS = 5;

    private final ProductWeights weights;
    private final Map<Instant, Snapshot> outOfFold;

    private ProductScores(ProductWeights weights, Map<Instant, Snapshot> outOfFold) {
        this.weights = weights;
        this.outOfFold = outOfFold;
    }

    static ProductScores fit(List<Snapshot> labelled) {
        List<Set<String>> bags = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<Integer> folds = new ArrayList<>();
        for (Snapshot snapshot : labelled) {
            for (int i = 0; i < snapshot.size(); i++) {
                bags.add(productsOf(snapshot, i));
                labels.add(snapshot.churned()[i]);
                folds.add(fold(snapshot.memberIds().get(i)));
            }
        }
        ProductWeights all = ProductBagFitter.fit(bags, toArray(labels));
        Map<Instant, Snapshot> outOfFold = new HashMap<>();
        if (all.isEmpty()) {
            labelled.forEach(s -> outOfFold.put(s.asOf(), s));
            return new ProductScores(all, outOfFold);
        }
        ProductWeights[] byFold = new ProductWeights[FOLDS];
        for (int f = 0; f < FOLDS; f++) {
            List<Set<String>> in = new ArrayList<>();
            List<Integer> y = new ArrayList<>();
            for (int r = 0; r < bags.size(); r++) {
                if (folds.get(r) != f) {
                    in.add(bags.get(r));
                    y.add(labels.get(r));
                }
            }
            byFold[f] = ProductBagFitter.fit(in, toArray(y));
        }
        for (Snapshot snapshot : labelled) {
            double[] scores = new double[snapshot.size()];
            for (int i = 0; i < scores.length; i++) {
                scores[i] = byFold[fold(snapshot.memberIds().get(i))].logOdds(productsOf(snapshot, i));
            }
            outOfFold.put(snapshot.asOf(), snapshot.withColumn(Feature.PRODUCT_BAG_CHURN, scores));
        }
        return new ProductScores(all, outOfFold);
    }

    /** The regression fitted on every labelled training row, which scores members beyond them. */
    ProductWeights weights() {
        return weights;
    }

    /** The snapshot with its product-bag column: out-of-fold when it was fitted on, else from all rows. */
    Snapshot fill(Snapshot snapshot) {
        Snapshot own = outOfFold.get(snapshot.asOf());
        return own != null ? own : fillWith(weights, snapshot);
    }

    List<Snapshot> fill(List<Snapshot> snapshots) {
        return snapshots.stream().map(this::fill).toList();
    }

    static Snapshot fillWith(ProductWeights weights, Snapshot snapshot) {
        double[] scores = new double[snapshot.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = weights.logOdds(productsOf(snapshot, i));
        }
        return snapshot.withColumn(Feature.PRODUCT_BAG_CHURN, scores);
    }

    private static Set<String> productsOf(Snapshot snapshot, int member) {
        return snapshot.products() == null ? Set.of() : snapshot.products().get(member);
    }

    private static int fold(String member) {
        return Math.floorMod(member.hashCode() * 0x9E3779B9, FOLDS);
    }

    private static int[] toArray(List<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).toArray();
    }
}
