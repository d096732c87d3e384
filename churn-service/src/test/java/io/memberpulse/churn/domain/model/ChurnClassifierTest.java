package io.memberpulse.churn.domain.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memberpulse.churn.domain.NotEnoughDataException;
import io.memberpulse.churn.domain.features.Feature;
import io.memberpulse.churn.domain.features.Snapshot;
import io.memberpulse.churn.domain.features.Population;
import io.memberpulse.churn.domain.metrics.BinaryMetrics;
import io.memberpulse.churn.domain.metrics.ModelMetrics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChurnClassifierTest {

    /** Members whose churn depends on recency and frequency, with noise; some features missing. */
    static Snapshot synthetic(Instant asOf, int n, long seed) {
        Random random = new Random(seed);
        double[][] x = new double[n][Feature.COUNT];
        int[] y = new int[n];
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Arrays.fill(x[i], Double.NaN);
            double recency = random.nextDouble() * 200;
            double days = 1 + random.nextInt(20);
            x[i][Feature.RECENCY_DAYS.ordinal()] = recency;
            x[i][Feature.LOG_RECENCY.ordinal()] = Math.log1p(recency);
            x[i][Feature.PURCHASE_DAYS.ordinal()] = Math.log1p(days);
            x[i][Feature.NET_SPEND.ordinal()] = Math.log1p(days * 30);
            x[i][Feature.TENURE_DAYS.ordinal()] = recency + random.nextDouble() * 100;
            double logit = 0.02 * recency - 0.25 * days + random.nextGaussian();
            x[i][Feature.BGNBD_P_NO_PURCHASE.ordinal()] = 1 / (1 + Math.exp(-0.5 * logit));
            x[i][Feature.RHYTHM_CHURN.ordinal()] = random.nextDouble();
            y[i] = logit > 0 ? 1 : 0;
            ids.add("m" + i);
        }
        double[] back = new double[n];
        for (int i = 0; i < n; i++) {
            // churners do not come back; the others within the 90-day horizon
            back[i] = y[i] == 1 ? Double.POSITIVE_INFINITY : 1 + random.nextDouble() * 89;
        }
        return new Snapshot(asOf, Population.NONE, ids, x, y, back);
    }

    @Test
    void aVersionStoredBeforeFeaturesWereAddedKeepsScoringTheFeaturesItKnew() throws Exception {
        Snapshot train = synthetic(Instant.EPOCH, 800, 3);
        Snapshot test = synthetic(Instant.EPOCH, 200, 4);
        int width = ChurnClassifier.FORMAT_1_WIDTH;
        byte[] booster = Xgb.train(ChurnClassifier.columns(train.features(), range(width)), train.churned(), null,
                Xgb.treeParams(3), 30);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
            out.writeInt(1); // session 1's format: kind, no width, no scaler, model
            out.writeUTF(ModelKind.GBT.name());
            out.writeBoolean(false);
            out.writeInt(booster.length);
            out.write(booster);
        }
        ChurnClassifier stored = ChurnClassifier.fromBytes(bytes.toByteArray());
        double[] expected = Xgb.predict(Xgb.load(booster), ChurnClassifier.columns(test.features(), range(width)), null);
        assertThat(stored.predict(test.features())).containsExactly(expected);
        assertThat(stored.importance().keySet()).allMatch(f -> f.ordinal() < width);
        assertThat(ChurnClassifier.fromBytes(stored.toBytes()).predict(test.features())).containsExactly(expected);
    }

    static int[] range(int width) {
        return java.util.stream.IntStream.range(0, width).toArray();
    }

    @Test
    void everyKindLearnsTheSignalAndSurvivesASaveAndLoad() {
        Snapshot train = synthetic(Instant.EPOCH, 1500, 1);
        Snapshot test = synthetic(Instant.EPOCH, 500, 2);
        ChurnTraining.Stacked slices = HazardRows.of(List.of(train), Instant.EPOCH.plusSeconds(90 * 86_400L), 90);
        for (ModelKind kind : ModelKind.values()) {
            ChurnClassifier model = kind.hazard() ? ChurnClassifier.trainHazard(kind, slices.x(), slices.y())
                    : ChurnClassifier.train(kind, train.features(), train.churned());
            double[] p = model.predict(test.features());
            assertThat(Arrays.stream(p).allMatch(v -> v >= 0 && v <= 1)).isTrue();
            if (kind != ModelKind.RHYTHM) {
                assertThat(BinaryMetrics.auc(p, test.churned())).as(kind.key()).isGreaterThan(0.7);
            }
            ChurnClassifier reloaded = ChurnClassifier.fromBytes(model.toBytes());
            assertThat(reloaded.kind()).isEqualTo(kind);
            assertThat(reloaded.predict(test.features())).containsExactly(p);
            assertThat(model.importance()).isNotEmpty();
        }
    }

    @Test
    void aBlendIsTheMeanOfItsLinearAndTreePartsAndKeepsThemThroughASaveAndLoad() {
        Snapshot train = synthetic(Instant.EPOCH, 1500, 5);
        Snapshot test = synthetic(Instant.EPOCH, 300, 6);
        ChurnClassifier lr = ChurnClassifier.train(ModelKind.LR, train.features(), train.churned());
        ChurnClassifier gbt = ChurnClassifier.train(ModelKind.GBT_BGNBD, train.features(), train.churned());
        double[] a = lr.predict(test.features());
        double[] b = gbt.predict(test.features());
        double[] blended = ChurnClassifier.fromBytes(ChurnClassifier.blendOf(lr, gbt).toBytes()).predict(test.features());
        for (int i = 0; i < blended.length; i++) {
            assertThat(blended[i]).isCloseTo((a[i] + b[i]) / 2, org.assertj.core.api.Assertions.within(1e-12));
        }
        assertThatThrownBy(() -> ChurnClassifier.blendOf(gbt, lr)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("LR and a GBT_BGNBD");
    }

    @Test
    void trainingChoosesOnTheValidationWindowAndRefusesTooLittleData() {
        Instant asOf = Instant.parse("2024-12-31T00:00:00Z");
        TrainingPlan plan = new TrainingPlan(asOf, 90, 3, 14);
        ChurnTraining.Result result = ChurnTraining.run(plan, at -> synthetic(at, 400, at.getEpochSecond()), false);
        assertThat(result.chosen().baseline()).isFalse();
        assertThat(result.chosen().candidate()).isTrue();
        assertThat(Arrays.stream(ModelKind.values()).filter(ModelKind::candidate))
                .as("hazard kinds are reported, never chosen").noneMatch(ModelKind::hazard);
        assertThat(result.validation()).as("in the service: every kind but the reported-only hazard kinds")
                .containsOnlyKeys(Arrays.stream(ModelKind.values()).filter(kind -> !kind.hazard()).toList());
        assertThat(result.finalModels()).containsOnlyKeys(result.chosen());
        assertThat(result.trainingRows()).isEqualTo(1200);

        assertThatThrownBy(() -> ChurnTraining.run(plan, at -> synthetic(at, 30, 1), false))
                .isInstanceOf(NotEnoughDataException.class).hasMessageContaining("too little data to validate");
        assertThatThrownBy(() -> ChurnTraining.run(plan,
                at -> at.equals(plan.validationCutoff()) ? synthetic(at, 400, 1) : synthetic(at, 20, 2), false))
                .isInstanceOf(NotEnoughDataException.class).hasMessageContaining("too little data to train");
    }

    @Test
    void theValidationWindowHoldsTheMembersLeftAloneWhileTheReachedOnesStillTrain() {
        Instant asOf = Instant.parse("2024-12-31T00:00:00Z");
        TrainingPlan plan = new TrainingPlan(asOf, 90, 3, 14);
        // staff reached every fourth member after each cut-off, and all of those came back
        ChurnTraining.Result result = ChurnTraining.run(plan, at -> {
            Snapshot s = synthetic(at, 400, at.getEpochSecond());
            double[] treated = new double[s.size()];
            for (int i = 0; i < s.size(); i += 4) {
                treated[i] = 1;
                s.churned()[i] = 0;
            }
            return s.withColumn(Feature.TREATED_IN_HORIZON, treated);
        }, false);
        assertThat(result.validationWindow().size()).isEqualTo(300);
        assertThat(Arrays.stream(result.validationWindow().features())
                .filter(row -> row[Feature.TREATED_IN_HORIZON.ordinal()] != 0)).isEmpty();
        assertThat(result.treatedRows()).as("reached members are training examples, flagged").isEqualTo(300);
        assertThat(result.trainingRows()).isEqualTo(1200);
    }

    /**
     * History one horizon deep: the validation window's members exist, but the cut-offs before it (which
     * validation would train on) hold none, so a full run refuses; trained without validation, the blend
     * learns from the training cut-offs alone and ranks members of a new cut-off.
     */
    @Test
    void withoutValidationOneKindIsTrainedOnTheTrainingCutoffsAlone() {
        Instant asOf = Instant.parse("2024-12-31T00:00:00Z");
        TrainingPlan plan = new TrainingPlan(asOf, 90, 3, 14);
        Instant recordsStart = plan.validationCutoff().minus(java.time.Duration.ofDays(30));
        java.util.function.Function<Instant, Snapshot> oneHorizonDeep = at -> at.isBefore(recordsStart)
                ? synthetic(at, 0, 1) : synthetic(at, 400, at.getEpochSecond());
        List<Instant> asked = new ArrayList<>();
        assertThatThrownBy(() -> ChurnTraining.run(plan, oneHorizonDeep, false))
                .isInstanceOf(NotEnoughDataException.class).hasMessageContaining("too little data to train");

        ChurnTraining.Result result = ChurnTraining.runWithoutValidation(plan, at -> {
            asked.add(at);
            return oneHorizonDeep.apply(at);
        }, ModelKind.BLEND, TrainingProgress.NONE);
        assertThat(result.chosen()).isEqualTo(ModelKind.BLEND);
        assertThat(result.validation()).isEmpty();
        assertThat(result.validationWindow()).isNull();
        assertThat(asked).as("only the training cut-offs, each once").containsExactlyElementsOf(plan.trainingCutoffs());
        assertThat(result.trainingRows()).isEqualTo(1200);
        Snapshot later = synthetic(asOf, 1000, 99);
        assertThat(ModelMetrics.of(result.model().predict(result.forScoring(later).features()), later.churned()).auc())
                .isGreaterThan(0.8);

        assertThatThrownBy(() -> ChurnTraining.runWithoutValidation(plan, at -> synthetic(at, 20, 2), ModelKind.BLEND,
                TrainingProgress.NONE)).isInstanceOf(NotEnoughDataException.class)
                .hasMessageContaining("too little data to train");
        assertThatThrownBy(() -> ChurnTraining.runWithoutValidation(plan, oneHorizonDeep, ModelKind.BGNBD,
                TrainingProgress.NONE)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void onlyTheKindsThatReadTheirOwnColumnScoreWithoutLabels() {
        Snapshot members = synthetic(Instant.parse("2024-12-31T00:00:00Z"), 500, 5);
        double[] p = ChurnClassifier.withoutLabels(ModelKind.BGNBD).predict(members.features());
        for (int i = 0; i < p.length; i++) {
            assertThat(p[i]).isEqualTo(members.features()[i][Feature.BGNBD_P_NO_PURCHASE.ordinal()]);
        }
        assertThatThrownBy(() -> ChurnClassifier.withoutLabels(ModelKind.LR)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trained on labels");
    }

    /** The memory preflight counts the cut-offs a run in the service builds: it must be exactly those. */
    @Test
    void aServiceRunBuildsTheCutoffsTrainingMemoryCounts() {
        TrainingPlan plan = new TrainingPlan(Instant.parse("2024-12-31T00:00:00Z"), 90, 3, 14);
        java.util.Set<Instant> built = new java.util.HashSet<>();
        ChurnTraining.run(plan, at -> {
            built.add(at);
            return synthetic(at, 400, at.getEpochSecond());
        }, false);

        assertThat(built).hasSize(TrainingMemory.cutoffs(plan)).isEqualTo(plan.snapshotCutoffs(false))
                .doesNotContainAnyElementsOf(plan.hazardCutoffs().subList(0, plan.hazardCutoffs().size() - 3));
    }

    @Test
    void trainingReportsEachStageInOrderAndBuildsEachCutoffOnce() {
        TrainingPlan plan = new TrainingPlan(Instant.parse("2024-12-31T00:00:00Z"), 90, 3, 14);
        List<String> reports = new ArrayList<>();
        java.util.Map<Instant, Integer> builds = new java.util.HashMap<>();
        ChurnTraining.run(plan, at -> {
            builds.merge(at, 1, Integer::sum);
            return synthetic(at, 400, at.getEpochSecond());
        }, true, (stage, done, total) -> reports.add(stage.key() + " " + done + "/" + total));

        assertThat(builds).as("each cut-off built once").allSatisfy((at, times) -> assertThat(times).isEqualTo(1));
        java.util.Set<Instant> planned = new java.util.HashSet<>(plan.validationTrainingCutoffs());
        planned.add(plan.validationCutoff());
        planned.addAll(plan.validationHazardCutoffs());
        planned.addAll(plan.trainingCutoffs());
        planned.addAll(plan.hazardCutoffs());
        assertThat(builds.keySet()).isEqualTo(planned).isEqualTo(plan.snapshotCutoffs(true));
        int kinds = ModelKind.values().length;
        List<String> stages = reports.stream().map(r -> r.substring(0, r.indexOf(' '))).distinct().toList();
        assertThat(stages).containsExactly("validation-snapshots", "validating-models", "training-snapshots", "refitting");
        assertThat(reports).contains("validating-models 0/" + kinds, "validating-models " + kinds + "/" + kinds,
                "refitting " + kinds + "/" + kinds);
        java.util.Set<Instant> validationPhase = new java.util.LinkedHashSet<>(List.of(plan.validationCutoff()));
        validationPhase.addAll(plan.validationTrainingCutoffs());
        validationPhase.addAll(plan.validationHazardCutoffs());
        java.util.Set<Instant> trainingPhase = new java.util.LinkedHashSet<>(plan.trainingCutoffs());
        trainingPhase.addAll(plan.hazardCutoffs());
        assertThat(reports).contains("validation-snapshots " + validationPhase.size() + "/" + validationPhase.size(),
                "training-snapshots " + trainingPhase.size() + "/" + trainingPhase.size());
    }

    @Test
    void modelsAreFittedOnAFixedSampleOfAtMostMaxFitRows() {
        ChurnTraining.Stacked small = new ChurnTraining.Stacked(new double[][] {{1}, {2}}, new int[] {0, 1});
        assertThat(ChurnTraining.capped(small)).isSameAs(small);

        int n = ChurnTraining.MAX_FIT_ROWS * 3 / 2;
        double[][] x = new double[n][];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = new double[] {i};
            y[i] = i % 4 == 0 ? 1 : 0;
        }
        ChurnTraining.Stacked sample = ChurnTraining.capped(new ChurnTraining.Stacked(x, y));
        assertThat(sample.x().length).isEqualTo(ChurnTraining.MAX_FIT_ROWS);
        assertThat(sample.y()).hasSize(ChurnTraining.MAX_FIT_ROWS);
        for (int i = 0; i < sample.x().length; i++) {
            assertThat(sample.y()[i]).as("each row keeps its label").isEqualTo((int) sample.x()[i][0] % 4 == 0 ? 1 : 0);
            if (i > 0) {
                assertThat(sample.x()[i][0]).as("stacked order kept, no row twice").isGreaterThan(sample.x()[i - 1][0]);
            }
        }
        assertThat(Arrays.stream(sample.y()).average().orElseThrow()).isCloseTo(0.25,
                org.assertj.core.api.Assertions.within(0.01));
        assertThat(sample.x()[0][0]).as("stratified over the whole stack, not its head").isLessThan(10);
        assertThat(sample.x()[sample.x().length - 1][0]).isGreaterThan(n - 10);
        assertThat(ChurnTraining.capped(new ChurnTraining.Stacked(x, y)).x()).as("the same rows for the same data")
                .isDeepEqualTo(sample.x());
    }

    @Test
    void theTimeSplitIsStrict() {
        Instant asOf = Instant.parse("2011-09-10T00:00:00Z");
        TrainingPlan plan = TrainingPlan.of(asOf, 90);
        assertThat(plan.trainingCutoffs().get(0)).isEqualTo(Instant.parse("2011-06-12T00:00:00Z"));
        assertThat(plan.trainingCutoffs()).allSatisfy(t -> assertThat(t.plusSeconds(90 * 86_400L)).isBeforeOrEqualTo(asOf));
        assertThat(plan.validationCutoff()).isEqualTo(Instant.parse("2011-06-12T00:00:00Z"));
        assertThat(plan.validationTrainingCutoffs()).allSatisfy(
                t -> assertThat(t.plusSeconds(90 * 86_400L)).isBeforeOrEqualTo(plan.validationCutoff()));
    }
}
