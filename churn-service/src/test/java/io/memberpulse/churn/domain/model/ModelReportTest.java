package io.memberpulse.churn.domain.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.memberpulse.churn.domain.btyd.BgNbd;
import io.memberpulse.churn.domain.features.Feature;
import io.memberpulse.churn.domain.features.Population;
import io.memberpulse.churn.domain.features.Snapshot;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the report says the stored version learnt from and scores with. */
class ModelReportTest {
    static final Instant AS_OF = Instant.parse("2024-12-31T00:00:00Z");
    static final TrainingPlan PLAN = new TrainingPlan(AS_OF, 90, 3, 14);

    /** Each cut-off's snapshot with its own BG/NBD fit (as SnapshotBuilder fits one per cut-off), every 4th member called. */
    static Snapshot labelledAt(Instant cutoff) {
        Snapshot s = ChurnClassifierTest.synthetic(cutoff, 400, cutoff.getEpochSecond());
        double[] treated = new double[s.size()];
        for (int i = 0; i < s.size(); i += 4) {
            treated[i] = 1;
        }
        Population fittedThere = new Population(new BgNbd(0.2 + cutoff.getEpochSecond() % 1000 / 1e4, 5, 0.7, 2.5),
                Map.of(), 0.5);
        Snapshot flagged = s.withColumn(Feature.TREATED_IN_HORIZON, treated);
        return new Snapshot(cutoff, fittedThere, flagged.memberIds(), flagged.features(), flagged.churned(),
                flagged.daysToReturn());
    }

    @Test
    void theCountsAreOfEveryTrainingExampleWithTheSampleTheModelsWereFittedOnBesideThem() {
        ChurnTraining.Result result = ChurnTraining.run(PLAN, ModelReportTest::labelledAt, false, TrainingProgress.NONE,
                500);
        ModelReport report = ModelReport.of("v1", result, "promoted", null);

        int rows = 0;
        int churned = 0;
        int treated = 0;
        for (Instant cutoff : PLAN.trainingCutoffs()) {
            Snapshot s = labelledAt(cutoff);
            rows += s.size();
            churned += Arrays.stream(s.churned()).sum();
            treated += (int) Arrays.stream(s.features()).filter(x -> x[Feature.TREATED_IN_HORIZON.ordinal()] == 1).count();
        }
        assertThat(rows).as("the plan's training cut-offs hold more rows than the sample").isGreaterThan(500);
        assertThat(report.trainingRows()).as("every training example").isEqualTo(rows);
        assertThat(report.treatedExamples()).isEqualTo(treated);
        assertThat(report.trainingChurnRate()).isCloseTo((double) churned / rows, within(1e-12));
        assertThat(report.fittedRows()).as("the sample the models were fitted on").isEqualTo(500);
    }

    @Test
    void theBgNbdFitShownIsThePopulationsTheStoredVersionScoresWithNotTheValidationWindows() {
        ChurnTraining.Result result = ChurnTraining.run(PLAN, ModelReportTest::labelledAt, false, TrainingProgress.NONE,
                500);
        BgNbd servedFit = new BgNbd(0.31, 7.5, 0.6, 2.1); // fitted at asOf, after the window's cut-off
        ModelReport report = ModelReport.of("v1", result, "promoted", servedFit);

        assertThat(result.validationWindow().population().bgNbd()).isNotNull().isNotEqualTo(servedFit);
        assertThat(report.bgNbd()).isEqualTo(servedFit);
    }
}
