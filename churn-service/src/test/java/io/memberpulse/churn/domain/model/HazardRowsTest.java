package io.memberpulse.churn.domain.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memberpulse.churn.domain.features.Feature;
import io.memberpulse.churn.domain.features.Population;
import io.memberpulse.churn.domain.features.Snapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class HazardRowsTest {
    static final Instant T = Instant.parse("2024-06-30T00:00:00Z");
    static final double INF = Double.POSITIVE_INFINITY;

    static Snapshot snapshot(double... daysToReturn) {
        double[][] x = new double[daysToReturn.length][Feature.COUNT];
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            Arrays.fill(x[i], i);
            ids.add("m" + i);
        }
        return new Snapshot(T, Population.NONE, ids, x, null, daysToReturn);
    }

    static Instant after(int days) {
        return T.plus(Duration.ofDays(days));
    }

    @Test
    void aMemberGivesARowPerSliceEnteredWithoutPurchaseUntilTheSliceTheyCameBackIn() {
        ChurnTraining.Stacked rows = HazardRows.of(List.of(snapshot(40, INF, 30, 0.5)), after(90), 90);
        // back on day 40: survived slice (0, 30], came back in (30, 60]; never back: three survived slices;
        // back on day 30 exactly and on day 0.5: within the first slice
        assertThat(rows.y()).containsExactly(1, 0, 1, 1, 1, 0, 0);
        assertThat(Arrays.stream(rows.x()).mapToDouble(r -> r[0]).toArray()).containsExactly(0, 0, 1, 1, 1, 2, 3);
        assertThat(Arrays.stream(rows.x()).mapToDouble(r -> r[Feature.COUNT]).toArray())
                .as("the slice index").containsExactly(0, 1, 0, 1, 2, 0, 0);
        assertThat(rows.x()[1]).hasSize(Feature.COUNT + HazardRows.SLICE_COLUMNS);
        assertThat(Arrays.copyOfRange(rows.x()[1], Feature.COUNT, rows.x()[1].length)).containsExactly(1, 0, 1);
        assertThat(Arrays.copyOfRange(rows.x()[4], Feature.COUNT, rows.x()[4].length)).containsExactly(2, 0, 0);
    }

    @Test
    void slicesEndingAfterTheFactsGiveNoRowAndLaterReturnsAreNotRead() {
        // facts end 65 days after the cut-off: slices (0, 30] and (30, 60] only
        ChurnTraining.Stacked seenLater = HazardRows.of(List.of(snapshot(62, 75, INF)), after(65), 90);
        ChurnTraining.Stacked neverSeen = HazardRows.of(List.of(snapshot(INF, INF, INF)), after(65), 90);
        assertThat(seenLater.y()).containsExactly(1, 1, 1, 1, 1, 1).containsExactly(neverSeen.y());
        assertThat(HazardRows.of(List.of(snapshot(10, INF)), after(29), 90).y()).isEmpty();
    }

    @Test
    void aSnapshotWithoutReturnTimesIsRefused() {
        Snapshot plain = new Snapshot(T, Population.NONE, List.of("m"), new double[1][Feature.COUNT], new int[] {1});
        assertThatThrownBy(() -> HazardRows.of(List.of(plain), after(90), 90))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no return times");
    }

    @Test
    void hazardCutOffsReachOnlyAsFarAsTheFactsThatLabelTheirFirstSlice() {
        Instant asOf = Instant.parse("2011-09-10T00:00:00Z");
        TrainingPlan plan = TrainingPlan.of(asOf, 90);
        assertThat(plan.hazardCutoffs()).containsAll(plan.trainingCutoffs()).doesNotHaveDuplicates();
        assertThat(plan.hazardCutoffs()).hasSize(plan.trainingCutoffs().size() + 4);
        assertThat(plan.hazardCutoffs()).allSatisfy(t -> assertThat(t.plus(Duration.ofDays(30))).isBeforeOrEqualTo(asOf));
        assertThat(plan.validationHazardCutoffs()).allSatisfy(
                t -> assertThat(t.plus(Duration.ofDays(30))).isBeforeOrEqualTo(plan.validationCutoff()));
        assertThat(plan.validationHazardCutoffs()).containsAll(plan.validationTrainingCutoffs());
    }

    @Test
    void aHazardModelMultipliesItsSlicesSurvivalAndTheKindsKeepToTheirRows() {
        Snapshot train = ChurnClassifierTest.synthetic(T, 1200, 11);
        Snapshot test = ChurnClassifierTest.synthetic(T, 200, 12);
        ChurnTraining.Stacked slices = HazardRows.of(List.of(train), after(90), 90);
        ChurnClassifier gbt = ChurnClassifier.trainHazard(ModelKind.HAZARD_GBT, slices.x(), slices.y());
        ChurnClassifier lr = ChurnClassifier.trainHazard(ModelKind.HAZARD_LR, slices.x(), slices.y());
        double[] p = gbt.predict(test.features());
        byte[] booster = gbt.toBytes();
        double[] expected = new double[test.size()];
        Arrays.fill(expected, 1);
        for (int k = 0; k < HazardRows.SLICES; k++) {
            final int slice = k;
            double[][] rows = Arrays.stream(test.features()).map(r -> HazardRows.withSlice(r, slice)).toArray(double[][]::new);
            double[] q = ChurnClassifier.fromBytes(booster).sliceSurvival(rows);
            for (int i = 0; i < q.length; i++) {
                expected[i] *= q[i];
            }
        }
        assertThat(p).containsExactly(expected);
        double[] mean = ChurnClassifier.hazardOf(lr, gbt).predict(test.features());
        double[] a = lr.predict(test.features());
        for (int i = 0; i < mean.length; i++) {
            assertThat(mean[i]).isCloseTo((a[i] + p[i]) / 2, org.assertj.core.api.Assertions.within(1e-12));
        }
        assertThatThrownBy(() -> ChurnClassifier.train(ModelKind.HAZARD, train.features(), train.churned()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("person-slice rows");
        assertThatThrownBy(() -> ChurnClassifier.trainHazard(ModelKind.GBT, slices.x(), slices.y()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a hazard model");
        assertThatThrownBy(() -> ChurnClassifier.trainHazard(ModelKind.HAZARD_GBT, train.features(), train.churned()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("slice columns");
        assertThatThrownBy(() -> ChurnClassifier.hazardOf(gbt, lr)).isInstanceOf(IllegalArgumentException.class);
    }
}
