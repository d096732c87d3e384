package io.memberpulse.churn.domain.model;

import io.memberpulse.churn.domain.metrics.ModelMetrics;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleSupplier;

/**
 * Whether a newly trained version replaces the one serving, judged on the run's validation window, and the
 * sentence that says why.
 *
 * <p>The serving version was refitted on every cut-off up to its facts' end minus the horizon, so it learnt the
 * labels up to its facts' end. When those reach past this run's validation cut-off (a retrain before a whole
 * horizon of new facts has come in, as the nightly one is), the window holds its own training rows: graded there
 * it would look better than it is, and no retrain would ever replace it. It is then judged as its kind refitted
 * on this run's validation-training cut-offs, which the run has already validated out of sample, and the
 * candidate, chosen on the same figures, replaces it on a tie when its facts are newer. Otherwise the serving
 * version itself is scored on the window and the candidate must beat it. A run whose facts end before the serving
 * version's (training on demand at an earlier as-of) never replaces it.
 *
 * <p>Judged as its kind refitted, the serving version always loses to newer facts: the candidate is the best kind
 * of a run that fitted that kind too. So such a run must also validate within {@code maxAucDrop} of the validation
 * AUC the serving version had when it was promoted. The two windows are then at most a horizon apart and mostly the
 * same members, so a larger fall says the new facts are damaged (a channel that stopped sending, labels cut short),
 * not that the members changed; the serving version stays until a run judges it on a window it never saw.
 *
 * @param promote whether the candidate serves from now on
 * @param currentAuc the validation AUC it was compared with
 * @param decision what was compared, for the report and the job's result
 */
public record Promotion(boolean promote, double currentAuc, String decision) {

    /** The version serving now, as far as the comparison needs it. */
    public record Serving(String version, ModelKind kind, Instant factsUntil, int horizonDays, double validationAuc) {
    }

    /**
     * @param candidate the chosen kind of this run and its validation metrics
     * @param factsUntil where this run's facts end
     * @param validation every kind's validation metrics in this run (fitted before the validation cut-off)
     * @param serving the version serving now; null when the rhythm baseline scores
     * @param servingAucOnWindow the serving version's AUC on this run's validation window (asked only when fair)
     * @param servesHorizon whether the service scores this run's horizon (a version for another is never promoted)
     * @param maxAucDrop how far below the serving version's own validation AUC a run judged against its kind
     *     refitted may validate and still replace it
     */
    public static Promotion decide(ModelKind candidate, Instant factsUntil, Map<ModelKind, ModelMetrics> validation,
            Instant validationCutoff, int horizonDays, Serving serving, DoubleSupplier servingAucOnWindow,
            boolean servesHorizon, double maxAucDrop) {
        double candidateAuc = validation.get(candidate).auc();
        double currentAuc;
        String against;
        boolean tieWins = false;
        boolean fellTooFar = false;
        if (serving == null || serving.horizonDays() != horizonDays || !validation.containsKey(serving.kind())) {
            currentAuc = validation.get(ModelKind.RHYTHM).auc();
            against = "the rhythm baseline";
        } else if (serving.factsUntil().isAfter(validationCutoff)) {
            currentAuc = validation.get(serving.kind()).auc();
            against = serving.version() + " (" + serving.kind().key() + ", which learnt this window's labels: as its kind"
                    + " refitted before the window)";
            tieWins = factsUntil.isAfter(serving.factsUntil()); // the same facts again: nothing new to serve
            fellTooFar = candidateAuc < serving.validationAuc() - maxAucDrop; // false when that AUC is unknown (NaN)
        } else {
            currentAuc = servingAucOnWindow.getAsDouble();
            against = serving.version();
        }
        boolean better = tieWins ? candidateAuc >= currentAuc : candidateAuc > currentAuc;
        // a run on an earlier as-of (a backtest) knows less than the serving version, however it validates
        boolean olderFacts = serving != null && factsUntil.isBefore(serving.factsUntil());
        boolean promote = servesHorizon && better && !olderFacts && !fellTooFar;
        String outcome = promote ? "promoted"
                : !servesHorizon ? "not promoted (the service scores another horizon)"
                : olderFacts ? "not promoted (trained on facts up to " + factsUntil + ", before the serving "
                        + serving.version() + "'s " + serving.factsUntil() + ")"
                : fellTooFar && better ? String.format(Locale.ROOT, "not promoted (validation AUC %.4f is more than %.3f "
                        + "below the %.4f %s validated at; check the member facts)", candidateAuc, maxAucDrop,
                        serving.validationAuc(), serving.version())
                : "kept the current model";
        return new Promotion(promote, currentAuc, String.format(Locale.ROOT,
                "%s: validation AUC %.4f vs %.4f of %s on the window at %s", outcome, candidateAuc, currentAuc, against,
                validationCutoff));
    }
}
