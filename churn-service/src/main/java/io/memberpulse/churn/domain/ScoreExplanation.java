package io.memberpulse.churn.domain;

import io.memberpulse.churn.domain.features.Feature;
import io.memberpulse.churn.domain.features.FeatureLabel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Why a member's stored score is what it is: the k features that move the member's churn log-odds most, each with
 * its contribution (positive raises the risk, negative lowers it), from the model's base (expected) log-odds.
 *
 * @param probability the stored score's, as GET /members/{id}/score answers it
 * @param recomputedProbability the model's probability for the feature vector explained, rebuilt from the member's
 *     facts as of the score's as-of: equal to {@code probability} unless facts up to then arrived since it was stored
 *     (then the next scoring moves it); null for the rhythm baseline
 * @param explainedProbability sigmoid(baseLogOdds + every feature's contribution): the probability itself when
 *     {@code exact}, near it for a blend (which averages its parts' probabilities); null for the rhythm baseline
 * @param otherLogOdds what the features beyond the k given add together (null for the rhythm baseline)
 * @param features largest |contribution| first; for the rhythm baseline its two inputs without contributions
 */
public record ScoreExplanation(String memberId, String modelVersion, String modelKind, Instant asOf, int horizonDays,
        double probability, Double recomputedProbability, Double explainedProbability, boolean exact, Double baseLogOdds, Double otherLogOdds,
        List<FeatureContribution> features) {

    public static final int DEFAULT_K = 5;
    public static final int MAX_K = 20;

    /**
     * @param feature the feature's key (Feature.key())
     * @param value the member's value in the label's units; null when not defined for the member (no review)
     * @param contribution to the churn log-odds; null for the rhythm baseline, which is not additive
     */
    public record FeatureContribution(String feature, String label, Double value, Double contribution) {
    }

    /**
     * @param features the member's full feature vector, by Feature ordinal
     * @param byFeature each feature's contribution to the log-odds, by Feature ordinal
     */
    public static ScoreExplanation of(ChurnScore score, String modelKind, double[] features, double recomputed,
            double base, double[] byFeature, boolean exact, int k) {
        List<Feature> ranked = new ArrayList<>();
        for (Feature f : Feature.values()) {
            if (byFeature[f.ordinal()] != 0) { // 0: a feature the model does not read
                ranked.add(f);
            }
        }
        ranked.sort(Comparator.comparingDouble((Feature f) -> -Math.abs(byFeature[f.ordinal()])));
        List<FeatureContribution> top = new ArrayList<>();
        double logOdds = base;
        double shown = 0;
        for (int i = 0; i < ranked.size(); i++) {
            Feature f = ranked.get(i);
            double c = byFeature[f.ordinal()];
            logOdds += c;
            if (i < k) {
                shown += c;
                FeatureLabel label = FeatureLabel.of(f);
                top.add(new FeatureContribution(f.key(), label.text(), label.shown(features[f.ordinal()]), c));
            }
        }
        return new ScoreExplanation(score.memberId(), score.modelVersion(), modelKind, score.asOf(), score.horizonDays(),
                score.probability(), recomputed, 1 / (1 + Math.exp(-logOdds)), exact, base, logOdds - base - shown, top);
    }

    /**
     * The rhythm baseline (no trained model): a formula of recency against the member's own rhythm, not a sum of
     * log-odds; its two inputs are given without contributions.
     */
    public static ScoreExplanation ofRhythm(ChurnScore score) {
        List<FeatureContribution> inputs = List.of(
                new FeatureContribution(Feature.RECENCY_DAYS.key(), FeatureLabel.of(Feature.RECENCY_DAYS).text(),
                        score.recencyDays(), null),
                new FeatureContribution(Feature.GAP_MEDIAN.key(), FeatureLabel.of(Feature.GAP_MEDIAN).text(),
                        score.expectedGapDays(), null));
        return new ScoreExplanation(score.memberId(), score.modelVersion(), "rhythm", score.asOf(), score.horizonDays(),
                score.probability(), null, null, false, null, null, inputs);
    }
}
