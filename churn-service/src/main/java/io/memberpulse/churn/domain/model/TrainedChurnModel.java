package io.memberpulse.churn.domain.model;

import io.memberpulse.churn.domain.features.Activity;
import io.memberpulse.churn.domain.features.FeatureExtractor;
import io.memberpulse.churn.domain.features.MemberHistory;
import io.memberpulse.churn.domain.features.Population;
import io.memberpulse.churn.domain.features.Snapshot;
import io.memberpulse.churn.domain.features.StockOuts;
import io.memberpulse.churn.domain.metrics.BinaryMetrics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * A promoted model version as it scores members: the classifier, the population of its training
 * instant (BG/NBD, product return rates) and the feature settings it was trained with.
 */
public record TrainedChurnModel(String version, ChurnClassifier classifier, Population population,
        FeatureExtractor extractor) {

    /** P(no purchase within the horizon after asOf) per member; members without a purchase by then are left out. */
    public Map<String, Double> score(Map<String, ? extends Collection<Activity>> histories, StockOuts stockOuts,
            Instant asOf) {
        List<String> members = new ArrayList<>();
        List<double[]> rows = new ArrayList<>();
        histories.forEach((member, activities) -> {
            MemberHistory history = extractor.history(activities, asOf);
            extractor.extract(history, population, stockOuts).ifPresent(features -> {
                members.add(member);
                rows.add(features);
            });
        });
        double[] p = classifier.predict(rows.toArray(double[][]::new));
        Map<String, Double> result = new java.util.HashMap<>();
        for (int i = 0; i < p.length; i++) {
            result.put(members.get(i), p[i]);
        }
        return result;
    }

    /**
     * One member's feature vector as of an instant, as score() builds it, what each feature adds to the log-odds, and
     * the probability the model gives that vector (the stored score's, unless the member's facts up to then changed).
     */
    public record Explained(double[] features, Contributions contributions, double probability) {
    }

    /**
     * Explains one member's score as of asOf: the vector is built as score() builds it (the version's population and
     * feature settings, the stock-outs given), so the model's probability of it is the one scoring stored.
     * Empty when the member had not purchased by asOf.
     */
    public java.util.Optional<Explained> explain(Collection<Activity> activities, StockOuts stockOuts, Instant asOf) {
        MemberHistory history = extractor.history(activities, asOf);
        return extractor.extract(history, population, stockOuts)
                .map(features -> new Explained(features, classifier.contributions(features),
                        classifier.predict(new double[][] {features})[0]));
    }

    /**
     * This version's AUC on a labelled snapshot of a training run (the validation window a promotion grades it on),
     * with the features as this version builds them: the run filled the product-bag column with its own regression
     * (ChurnTraining's, the candidate's), which this version never read; it is rebuilt from the snapshot's products
     * with this version's population's weights, as score() builds it. The other columns are the cut-off's own, as
     * this version's training rows were. The snapshot is left as it is.
     */
    public double aucOn(Snapshot labelled) {
        Snapshot own = ProductScores.fillWith(population.productWeights(), labelled);
        return BinaryMetrics.auc(classifier.predict(own.features()), own.churned());
    }

    public OptionalDouble score(Collection<Activity> history, Instant asOf) {
        Double p = score(Map.of("m", history), StockOuts.NONE, asOf).get("m");
        return p == null ? OptionalDouble.empty() : OptionalDouble.of(p);
    }
}
