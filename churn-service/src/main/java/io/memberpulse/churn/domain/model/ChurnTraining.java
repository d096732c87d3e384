package io.memberpulse.churn.domain.model;

import io.memberpulse.churn.domain.NotEnoughDataException;
import io.memberpulse.churn.domain.features.ProductWeights;
import io.memberpulse.churn.domain.features.Snapshot;
import io.memberpulse.churn.domain.metrics.ModelMetrics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One training run: every model kind (in the service: but the reported-only hazard kinds) fitted on the
 * validation cut-offs and scored on the validation window; the candidate kind with the best validation AUC is chosen (the test period is never looked
 * at) and refitted on the training cut-offs. Rows of members whom staff called within a cut-off's
 * horizon are kept, flagged as treated, so the recorded intervention outcomes teach the next run.
 */
public final class ChurnTraining {
    /** A training set needs this many rows, and this many of each class. */
    public static final int MIN_ROWS = 200;
    public static final int MIN_PER_CLASS = 20;
    /** A validation window needs this many members, and this many of each class. */
    public static final int MIN_VALIDATION_ROWS = 50;
    public static final int MIN_VALIDATION_PER_CLASS = 10;
    private static final int TREATED = io.memberpulse.churn.domain.features.Feature.TREATED_IN_HORIZON.ordinal();
    /**
     * A training cut-off is learnt from only when the records reach at least this many days back before it.
     * Right after the records begin every member looks new (tenure, frequency and spend count from the start
     * of the records), though most are customers from before them who come back as they always did; rows from
     * such cut-offs teach that new one-time buyers return often, and a model scoring later cut-offs, where new
     * buyers are really new, ranks them too low. About two typical purchase gaps; chosen, over keeping every
     * cut-off and over 20 to 75 days, on Online Retail validation windows alone (ValidationVariantsBenchmarkTest).
     * When the cut-offs with that much history give too little to train on, every cut-off is kept.
     */
    public static final int MIN_RECORDS_DAYS = 60;

    /**
     * The outcome: the chosen model, refitted; every kind's validation metrics; sizes; and the product-bag
     * regression fitted on the training cut-offs, which the final models read (a scoring population carries it).
     *
     * @param trainingRows the member rows of the training cut-offs, every one (the examples the run learnt from)
     * @param trainingChurnRate the churn rate of those rows
     * @param treatedRows those rows whose horizon holds a call (TREATED_IN_HORIZON)
     * @param fittedRows the rows the final models were fitted on: trainingRows, or a sample of
     *     {@link #MAX_FIT_ROWS} of them when there are more
     */
    public record Result(TrainingPlan plan, ModelKind chosen, ChurnClassifier model,
            Map<ModelKind, ModelMetrics> validation, Map<ModelKind, ChurnClassifier> finalModels, int trainingRows,
            double trainingChurnRate, Snapshot validationWindow, int treatedRows, int fittedRows,
            ProductWeights productWeights) {

        /** A snapshot (at or after the plan's facts) as the final models read it: with the product-bag column. */
        public Snapshot forScoring(Snapshot snapshot) {
            return ProductScores.fillWith(productWeights, snapshot);
        }
    }

    private ChurnTraining() {
    }

    /** {@link #run(TrainingPlan, Function, boolean, TrainingProgress)} without progress reports. */
    public static Result run(TrainingPlan plan, Function<Instant, Snapshot> labelledAt, boolean refitAll) {
        return run(plan, labelledAt, refitAll, TrainingProgress.NONE);
    }

    /**
     * @param labelledAt snapshot at a cut-off with what the facts up to plan.asOf() say after it, and no later
     *     facts: labels where its horizon ends by then, return times always (SnapshotBuilder#at with observedUntil);
     *     asked once per cut-off
     * @param refitAll the offline evaluation: also fit and validate the hazard kinds, which are reported and never
     *     chosen, and refit every kind on the training cut-offs; otherwise (training in the service) only the kinds
     *     that may be chosen and the baselines, and only the chosen one is refitted. The hazard kinds learn from
     *     person-slice rows, up to three per member and cut-off: they would take most of a run's time and memory
     * @param progress told of each snapshot built and each model fitted
     */
    public static Result run(TrainingPlan plan, Function<Instant, Snapshot> labelledAt, boolean refitAll,
            TrainingProgress progress) {
        return run(plan, labelledAt, refitAll, progress, MAX_FIT_ROWS);
    }

    /** As above, fitting each model on at most maxFitRows rows (tests sample without 100,000 rows to fit). */
    static Result run(TrainingPlan plan, Function<Instant, Snapshot> labelledAt, boolean refitAll,
            TrainingProgress progress, int maxFitRows) {
        Map<Instant, Snapshot> built = new HashMap<>();
        Function<Instant, Snapshot> at = cutoff -> built.computeIfAbsent(cutoff, labelledAt);
        // measured on the members left alone, as scores are served; the called ones still train (a snapshot is shared)
        Snapshot window = at.apply(plan.validationCutoff()).leftAlone();
        requireValidation(window);
        build(plan.validationSnapshotCutoffs(refitAll), at, TrainingProgress.Stage.VALIDATION_SNAPSHOTS, progress);
        List<Snapshot> validationTraining = withHistory(present(plan.validationTrainingCutoffs(), at));
        ProductScores earlyProducts = ProductScores.fit(validationTraining);
        window = earlyProducts.fill(window);
        Stacked earlyRows = requireTrainable(capped(stack(earlyProducts.fill(validationTraining)), maxFitRows),
                "validation training cut-offs (before " + plan.validationCutoff() + " minus the horizon)");
        Stacked earlySlices = refitAll ? requireTrainable(HazardRows.of(earlyProducts.fill(withHistory(present(
                plan.validationHazardCutoffs(), at))), plan.validationCutoff(), plan.horizonDays()),
                "person-slice rows before " + plan.validationCutoff()) : null;
        Map<ModelKind, ModelMetrics> validation = new EnumMap<>(ModelKind.class);
        Map<ModelKind, ChurnClassifier> early = new EnumMap<>(ModelKind.class);
        ModelKind[] kinds = Arrays.stream(ModelKind.values()).filter(kind -> refitAll || !kind.hazard())
                .toArray(ModelKind[]::new);
        progress.report(TrainingProgress.Stage.VALIDATING_MODELS, 0, kinds.length);
        for (int k = 0; k < kinds.length; k++) {
            ChurnClassifier model = train(kinds[k], earlyRows, earlySlices, early);
            validation.put(kinds[k], ModelMetrics.of(model.predict(window.features()), window.churned()));
            progress.report(TrainingProgress.Stage.VALIDATING_MODELS, k + 1, kinds.length);
        }
        ModelKind chosen = Arrays.stream(kinds).filter(ModelKind::candidate)
                .max((a, b) -> Double.compare(validation.get(a).auc(), validation.get(b).auc())).orElseThrow();
        return refit(plan, at, chosen, refitAll ? kinds : new ModelKind[] {chosen}, chosen.hazard() || refitAll,
                validation, window, progress, maxFitRows);
    }

    /**
     * One kind fitted on the training cut-offs with no validation window: for a batch score whose history reaches
     * one horizon back but not two, where a trained model that was not chosen still ranks better than none.
     * The result's validation is empty and its validation window null. NotEnoughDataException when the training
     * cut-offs give too little.
     */
    public static Result runWithoutValidation(TrainingPlan plan, Function<Instant, Snapshot> labelledAt, ModelKind kind,
            TrainingProgress progress) {
        if (kind.hazard() || kind.baseline()) {
            throw new IllegalArgumentException(kind + " is not a trained member-row kind");
        }
        Map<Instant, Snapshot> built = new HashMap<>();
        Function<Instant, Snapshot> at = cutoff -> built.computeIfAbsent(cutoff, labelledAt);
        return refit(plan, at, kind, new ModelKind[] {kind}, false, Map.of(), null, progress, MAX_FIT_ROWS);
    }

    /**
     * The final fit: the refitted kinds on the training cut-offs (and, when slicesNeeded, the person-slice rows of
     * the hazard grid), with the product-bag regression fitted on the same cut-offs; chosen is the result's model.
     */
    private static Result refit(TrainingPlan plan, Function<Instant, Snapshot> at, ModelKind chosen, ModelKind[] refitted,
            boolean slicesNeeded, Map<ModelKind, ModelMetrics> validation, Snapshot window, TrainingProgress progress,
            int maxFitRows) {
        build(plan.trainingSnapshotCutoffs(slicesNeeded), at, TrainingProgress.Stage.TRAINING_SNAPSHOTS, progress);
        List<Snapshot> training = withHistory(present(plan.trainingCutoffs(), at));
        ProductScores products = ProductScores.fit(training);
        Stacked every = stack(products.fill(training));
        Stacked all = requireTrainable(capped(every, maxFitRows), "training cut-offs (before " + plan.asOf()
                + " minus the horizon)");
        Stacked slices = slicesNeeded ? requireTrainable(HazardRows.of(products.fill(withHistory(
                present(plan.hazardCutoffs(), at))), plan.asOf(), plan.horizonDays()), "person-slice rows")
                : null;
        Map<ModelKind, ChurnClassifier> finals = new EnumMap<>(ModelKind.class);
        progress.report(TrainingProgress.Stage.REFITTING, 0, refitted.length);
        for (int k = 0; k < refitted.length; k++) {
            finals.put(refitted[k], train(refitted[k], all, slices, finals));
            progress.report(TrainingProgress.Stage.REFITTING, k + 1, refitted.length);
        }
        // counted over every training row, not the sample fitted on: what the run learnt from
        int treated = (int) Arrays.stream(every.x()).filter(row -> row[TREATED] == 1).count();
        return new Result(plan, chosen, finals.get(chosen), validation, finals, every.y().length,
                Arrays.stream(every.y()).average().orElse(Double.NaN), window, treated, all.y().length,
                products.weights());
    }

    /** Builds the snapshots at the cut-offs not built yet, reporting each. */
    private static void build(List<Instant> cutoffs, Function<Instant, Snapshot> at, TrainingProgress.Stage stage,
            TrainingProgress progress) {
        List<Instant> distinct = new ArrayList<>(new LinkedHashSet<>(cutoffs));
        progress.report(stage, 0, distinct.size());
        for (int i = 0; i < distinct.size(); i++) {
            at.apply(distinct.get(i));
            progress.report(stage, i + 1, distinct.size());
        }
    }

    /**
     * Trains a kind on the member rows (or a hazard kind on the person-slice rows), and remembers it; a mean
     * is made of its parts when they are already trained.
     */
    private static ChurnClassifier train(ModelKind kind, Stacked rows, Stacked slices,
            Map<ModelKind, ChurnClassifier> trained) {
        ChurnClassifier model;
        if (kind == ModelKind.BLEND && trained.containsKey(ModelKind.LR) && trained.containsKey(ModelKind.GBT_BGNBD)) {
            model = ChurnClassifier.blendOf(trained.get(ModelKind.LR), trained.get(ModelKind.GBT_BGNBD));
        } else if (kind == ModelKind.HAZARD && trained.containsKey(ModelKind.HAZARD_LR)
                && trained.containsKey(ModelKind.HAZARD_GBT)) {
            model = ChurnClassifier.hazardOf(trained.get(ModelKind.HAZARD_LR), trained.get(ModelKind.HAZARD_GBT));
        } else {
            model = kind.hazard() ? ChurnClassifier.trainHazard(kind, slices.x(), slices.y())
                    : ChurnClassifier.train(kind, rows.x(), rows.y());
        }
        trained.put(kind, model);
        return model;
    }

    /**
     * A model is fitted on at most this many member rows (a fixed-seed uniform sample of the stacked cut-offs):
     * fitting time grows with the rows (LR and the trees on 283,000 rows of CDNOW copied 10 times took 212 s)
     * while 68 features gain little beyond this. Online Retail gives 21,654 rows: it is never sampled.
     */
    public static final int MAX_FIT_ROWS = 100_000;

    /** At most {@link #MAX_FIT_ROWS} rows, in their stacked order; the same rows for the same data. */
    static Stacked capped(Stacked data) {
        return capped(data, MAX_FIT_ROWS);
    }

    /** At most maxRows rows, in their stacked order; the same rows for the same data. */
    static Stacked capped(Stacked data, int maxRows) {
        int n = data.y().length;
        if (n <= maxRows) {
            return data;
        }
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < maxRows; i++) { // a partial Fisher-Yates shuffle picks the sample
            int j = i + random.nextInt(n - i);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        int[] kept = Arrays.copyOf(order, maxRows);
        Arrays.sort(kept);
        double[][] x = new double[kept.length][];
        int[] y = new int[kept.length];
        for (int i = 0; i < kept.length; i++) {
            x[i] = data.x()[kept[i]];
            y[i] = data.y()[kept[i]];
        }
        return new Stacked(x, y);
    }

    /** Rows and their labels, stacked over cut-offs. */
    public record Stacked(double[][] x, int[] y) {
    }

    static Stacked stack(List<Snapshot> snapshots) {
        List<double[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (Snapshot snapshot : snapshots) {
            rows.addAll(Arrays.asList(snapshot.features()));
            for (int y : snapshot.churned()) {
                labels.add(y);
            }
        }
        return new Stacked(rows.toArray(double[][]::new), labels.stream().mapToInt(Integer::intValue).toArray());
    }

    private static List<Snapshot> present(List<Instant> cutoffs, Function<Instant, Snapshot> labelledAt) {
        List<Snapshot> result = new ArrayList<>();
        for (Instant cutoff : cutoffs) {
            Snapshot snapshot = labelledAt.apply(cutoff);
            if (snapshot.size() > 0) {
                result.add(snapshot);
            }
        }
        return result;
    }

    /**
     * The snapshots whose records reach {@link #MIN_RECORDS_DAYS} back before their cut-off; all of them when
     * those would be too few to train on (fewer rows or outcomes than {@link #MIN_ROWS}, {@link #MIN_PER_CLASS}).
     */
    static List<Snapshot> withHistory(List<Snapshot> snapshots) {
        List<Snapshot> kept = snapshots.stream().filter(s -> recordsDays(s) >= MIN_RECORDS_DAYS).toList();
        int rows = 0;
        int churners = 0;
        for (Snapshot snapshot : kept) {
            rows += snapshot.size();
            if (snapshot.churned() != null) {
                churners += Arrays.stream(snapshot.churned()).sum();
            }
        }
        boolean labelled = kept.stream().allMatch(Snapshot::labelled);
        boolean enough = rows >= MIN_ROWS
                && (!labelled || churners >= MIN_PER_CLASS && rows - churners >= MIN_PER_CLASS);
        return enough ? kept : snapshots;
    }

    /** Days from the first purchase in the records to the snapshot's cut-off (NaN when unknown). */
    static double recordsDays(Snapshot snapshot) {
        return snapshot.population().demand().daysOfRecords(Math.floorDiv(snapshot.asOf().getEpochSecond(), 86_400L));
    }

    private static void requireValidation(Snapshot window) {
        int churners = Arrays.stream(window.churned()).sum();
        if (window.size() < MIN_VALIDATION_ROWS || churners < MIN_VALIDATION_PER_CLASS
                || window.size() - churners < MIN_VALIDATION_PER_CLASS) {
            throw new NotEnoughDataException("too little data to validate: the validation window at "
                    + window.asOf() + " has " + window.size() + " members (" + churners + " churned); at least "
                    + MIN_VALIDATION_ROWS + " members with " + MIN_VALIDATION_PER_CLASS
                    + " of each outcome are needed, so history must reach two horizons back");
        }
    }

    private static Stacked requireTrainable(Stacked data, String what) {
        int churners = Arrays.stream(data.y()).sum();
        if (data.y().length < MIN_ROWS || churners < MIN_PER_CLASS || data.y().length - churners < MIN_PER_CLASS) {
            throw new NotEnoughDataException("too little data to train: the " + what + " give " + data.y().length
                    + " examples (" + churners + " churned); at least " + MIN_ROWS + " with " + MIN_PER_CLASS
                    + " of each outcome are needed");
        }
        return data;
    }
}
