package io.memberpulse.churn.domain.model;

import io.memberpulse.churn.domain.btyd.BgNbd;
import io.memberpulse.churn.domain.features.Feature;
import io.memberpulse.churn.domain.metrics.ModelMetrics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a person reads about a model version: the chosen model and every baseline side by side on
 * the validation window (baselines, never chosen, named in {@code baselines}), what the chosen model
 * leans on, the BG/NBD fit the version scores with, the promotion decision and how many training examples
 * were treated (staff reached the member within the horizon). Served as JSON and drawn by the page /model-reports/.
 *
 * @param trainingRows every member row of the training cut-offs (the examples the version learnt from)
 * @param trainingChurnRate the churn rate of those rows
 * @param bgNbd the BG/NBD fit of the version's own population, fitted to the purchases up to asOf (what its
 *     bgnbd features are computed with when it scores), not the fit at the validation cut-off
 * @param treatedExamples the rows of trainingRows whose horizon holds a call
 * @param fittedRows the rows the version was fitted on: trainingRows, or a fixed-seed sample of
 *     {@link ChurnTraining#MAX_FIT_ROWS} of them when there are more
 */
public record ModelReport(String version, String chosen, Instant asOf, int horizonDays, int trainingRows,
        double trainingChurnRate, Instant validationCutoff, Map<String, ModelMetrics> validation,
        List<String> baselines, List<Importance> importance, BgNbd bgNbd, String decision, int treatedExamples,
        int fittedRows) {

    public record Importance(String feature, String description, double share) {
    }

    /** @param servedBgNbd the BG/NBD fit of the population the stored version scores with (fitted at asOf) */
    public static ModelReport of(String version, ChurnTraining.Result result, String decision, BgNbd servedBgNbd) {
        Map<String, ModelMetrics> validation = new LinkedHashMap<>();
        List<String> baselines = new ArrayList<>();
        result.validation().forEach((kind, metrics) -> {
            validation.put(kind.key(), metrics);
            if (kind.baseline()) {
                baselines.add(kind.key());
            }
        });
        List<Importance> importance = new ArrayList<>();
        for (Map.Entry<Feature, Double> entry : result.model().importance().entrySet()) {
            if (importance.size() == 15) {
                break;
            }
            importance.add(new Importance(entry.getKey().key(), entry.getKey().description(), entry.getValue()));
        }
        return new ModelReport(version, result.chosen().key(), result.plan().asOf(), result.plan().horizonDays(),
                result.trainingRows(), result.trainingChurnRate(), result.plan().validationCutoff(), validation,
                baselines, importance, servedBgNbd, decision, result.treatedRows(), result.fittedRows());
    }
}
