package io.memberpulse.churn.domain.model;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * When to cut, for a model trained with facts up to {@code asOf} (D) and a horizon H, with a strict
 * time split: training cut-offs D - H, D - H - step, ... (their labels end by D); the validation
 * window is the cut-off D - H, scored by models trained on cut-offs up to D - 2H only.
 */
public record TrainingPlan(Instant asOf, int horizonDays, int cutoffs, int stepDays) {
    public static final int DEFAULT_CUTOFFS = 12;
    public static final int DEFAULT_STEP_DAYS = 14;

    public TrainingPlan {
        if (horizonDays < 1 || cutoffs < 1 || stepDays < 1) {
            throw new IllegalArgumentException("horizon, cut-offs and step must be positive");
        }
    }

    public static TrainingPlan of(Instant asOf, int horizonDays) {
        return new TrainingPlan(asOf, horizonDays, DEFAULT_CUTOFFS, DEFAULT_STEP_DAYS);
    }

    /** Cut-offs of the final model, latest first. */
    public List<Instant> trainingCutoffs() {
        return series(asOf.minus(horizon()));
    }

    public Instant validationCutoff() {
        return asOf.minus(horizon());
    }

    /** Cut-offs of the models scored on the validation window, latest first. */
    public List<Instant> validationTrainingCutoffs() {
        return series(validationCutoff().minus(horizon()));
    }

    /**
     * Cut-offs of the final survival (hazard) models, latest first: the training cut-offs and, on the same
     * grid, the later ones whose first slice of the horizon has passed by asOf.
     */
    public List<Instant> hazardCutoffs() {
        return withLater(trainingCutoffs(), asOf);
    }

    /** The same for the hazard models scored on the validation window: their facts end at it. */
    public List<Instant> validationHazardCutoffs() {
        return withLater(validationTrainingCutoffs(), validationCutoff());
    }

    /**
     * The cut-offs whose snapshots validation builds: the validation window, then the cut-offs of the models
     * scored on it (with the hazard grid when the hazard kinds are fitted too).
     */
    public List<Instant> validationSnapshotCutoffs(boolean withHazard) {
        List<Instant> result = new ArrayList<>(List.of(validationCutoff()));
        result.addAll(withHazard ? validationHazardCutoffs() : validationTrainingCutoffs());
        return result;
    }

    /** The cut-offs whose snapshots the final refit builds (with the hazard grid when asked). */
    public List<Instant> trainingSnapshotCutoffs(boolean withHazard) {
        return withHazard ? hazardCutoffs() : trainingCutoffs();
    }

    /**
     * Every distinct cut-off a run builds a snapshot at, in the order it builds them: what a run holds in
     * memory (TrainingMemory) is counted from the same list as what it builds (ChurnTraining).
     */
    public Set<Instant> snapshotCutoffs(boolean withHazard) {
        Set<Instant> result = new LinkedHashSet<>(validationSnapshotCutoffs(withHazard));
        result.addAll(trainingSnapshotCutoffs(withHazard));
        return result;
    }

    private List<Instant> withLater(List<Instant> cutoffs, Instant factsEnd) {
        List<Instant> result = new ArrayList<>();
        Duration slice = Duration.ofSeconds((long) Math.ceil(HazardRows.sliceDays(horizonDays) * 86_400));
        for (Instant t = cutoffs.get(0).plus(Duration.ofDays(stepDays)); !t.plus(slice).isAfter(factsEnd);
                t = t.plus(Duration.ofDays(stepDays))) {
            result.add(0, t);
        }
        result.addAll(cutoffs);
        return result;
    }

    private Duration horizon() {
        return Duration.ofDays(horizonDays);
    }

    private List<Instant> series(Instant latest) {
        List<Instant> result = new ArrayList<>(cutoffs);
        for (int i = 0; i < cutoffs; i++) {
            result.add(latest.minus(Duration.ofDays((long) stepDays * i)));
        }
        return result;
    }
}
