package io.memberpulse.churn.testdata;

import io.memberpulse.churn.domain.features.FeatureExtractor;
import io.memberpulse.churn.domain.features.Snapshot;
import io.memberpulse.churn.domain.features.SnapshotBuilder;
import io.memberpulse.churn.domain.features.StockOuts;
import io.memberpulse.churn.domain.metrics.DeLong;
import io.memberpulse.churn.domain.metrics.ModelMetrics;
import io.memberpulse.churn.domain.model.BgNbdFitter;
import io.memberpulse.churn.domain.model.ChurnClassifier;
import io.memberpulse.churn.domain.model.ChurnTraining;
import io.memberpulse.churn.domain.model.ModelKind;
import io.memberpulse.churn.domain.model.TrainingPlan;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * The offline evaluation of issue 8 on a data set: train with facts up to the test cut-off D
 * (cut-offs D - H and earlier; model chosen on the validation window D - H), then score the
 * test cut-off D against what happened in (D, D + H]. The test labels are read only here, last.
 */
public final class Backtest {
    public record Outcome(ChurnTraining.Result training, Map<ModelKind, ModelMetrics> test, Snapshot testWindow) {
        public ModelMetrics chosenOnTest() {
            return test.get(training.chosen());
        }
    }

    private Backtest() {
    }

    public static Instant day(String isoDate) {
        return LocalDate.parse(isoDate).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    public static Outcome run(EventCsv.Data data, Instant testCutoff, int horizonDays) {
        SnapshotBuilder builder = new SnapshotBuilder(new FeatureExtractor(horizonDays, 60, ZoneOffset.UTC),
                summaries -> BgNbdFitter.fit(summaries).model(), horizonDays);
        StockOuts stockOuts = new StockOuts(data.stockOuts());
        ChurnTraining.Result training = ChurnTraining.run(TrainingPlan.of(testCutoff, horizonDays),
                at -> builder.at(data.histories(), stockOuts, at, testCutoff), true);
        Snapshot test = training.forScoring(builder.at(data.histories(), stockOuts, testCutoff, true));
        Map<ModelKind, ModelMetrics> metrics = new EnumMap<>(ModelKind.class);
        training.finalModels().forEach((kind, model) -> metrics.put(kind, evaluate(model, test)));
        return new Outcome(training, metrics, test);
    }

    static ModelMetrics evaluate(ChurnClassifier model, Snapshot test) {
        return ModelMetrics.of(model.predict(test.features()), test.churned());
    }

    public static String table(Outcome outcome) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "test cut-off %s: %d members, churn rate %.3f; trained on %d examples; "
                        + "chosen on validation: %s%n", outcome.testWindow().asOf(), outcome.testWindow().size(),
                outcome.testWindow().churnRate(), outcome.training().trainingRows(), outcome.training().chosen().key()));
        out.append(String.format(Locale.ROOT, "%-10s | %-6s %-6s | %-6s %-13s %-9s %-8s %-11s %-6s %-10s%n", "model",
                "valAUC", "valL20", "AUC", "AUC 95%", "recall@20", "lift@20", "precision@10", "Brier", "profit@20"));
        for (ModelKind kind : ModelKind.values()) {
            ModelMetrics v = outcome.training().validation().get(kind);
            ModelMetrics t = outcome.test().get(kind);
            out.append(String.format(Locale.ROOT,
                    "%-10s | %.4f %.3f  | %.4f %.3f-%.3f   %.3f     %.3f    %.3f        %.4f %8.1f%n", kind.key(), v.auc(),
                    v.liftAt20(), t.auc(), t.aucLow95(), t.aucHigh95(), t.recallAt20(), t.liftAt20(), t.precisionAt10(),
                    t.brier(), t.profitPerThousandAt20()));
        }
        ModelKind chosen = outcome.training().chosen();
        double[] chosenScores = outcome.training().finalModels().get(chosen).predict(outcome.testWindow().features());
        for (ModelKind baseline : ModelKind.values()) {
            if (!baseline.baseline()) {
                continue;
            }
            DeLong.Estimate gain = DeLong.difference(chosenScores,
                    outcome.training().finalModels().get(baseline).predict(outcome.testWindow().features()),
                    outcome.testWindow().churned());
            out.append(String.format(Locale.ROOT, "%s - %s: test AUC %+.4f (95%% %+.4f to %+.4f, paired DeLong)%n",
                    chosen.key(), baseline.key(), gain.value(), gain.low(), gain.high()));
        }
        return out.toString();
    }
}
