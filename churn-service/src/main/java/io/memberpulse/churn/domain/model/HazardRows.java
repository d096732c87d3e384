package io.memberpulse.churn.domain.model;

import io.memberpulse.churn.domain.features.Snapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The training rows of a discrete-time survival (hazard) model: the horizon cut into {@link #SLICES}
 * equal slices; a member at a cut-off gives one row per slice that lies wholly before the facts end and
 * that they entered without having purchased, labelled 1 when they did not purchase within it either.
 * P(churn) is then the product of the slices' survival probabilities.
 *
 * <p>Why: a binary label needs the whole horizon after a cut-off, so the latest usable cut-off lies a
 * horizon before the facts end. Slices also learn from the cut-offs after it, whose first slices are
 * already observed: the most recent behaviour, the closest to the period being predicted. Facts after
 * {@code observedUntil} are never read: a slice ending after it gives no row.
 */
public final class HazardRows {
    public static final int SLICES = 3;
    /** Columns appended to the feature vector: the slice index and a one-hot of all slices but the last. */
    public static final int SLICE_COLUMNS = SLICES;

    private HazardRows() {
    }

    public static double sliceDays(int horizonDays) {
        return horizonDays / (double) SLICES;
    }

    /** Person-slice rows of the snapshots (each with return times), using facts up to observedUntil only. */
    public static ChurnTraining.Stacked of(List<Snapshot> snapshots, Instant observedUntil, int horizonDays) {
        double slice = sliceDays(horizonDays);
        List<double[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (Snapshot snapshot : snapshots) {
            if (snapshot.daysToReturn() == null) {
                throw new IllegalArgumentException("the snapshot at " + snapshot.asOf() + " has no return times");
            }
            double observed = Duration.between(snapshot.asOf(), observedUntil).getSeconds() / 86_400d;
            for (int i = 0; i < snapshot.size(); i++) {
                double back = snapshot.daysToReturn()[i];
                for (int k = 0; k < SLICES && (k + 1) * slice <= observed; k++) {
                    boolean returned = back <= (k + 1) * slice;
                    rows.add(withSlice(snapshot.features()[i], k));
                    labels.add(returned ? 0 : 1);
                    if (returned) {
                        break;
                    }
                }
            }
        }
        return new ChurnTraining.Stacked(rows.toArray(double[][]::new),
                labels.stream().mapToInt(Integer::intValue).toArray());
    }

    /** A feature row with the slice columns appended. */
    public static double[] withSlice(double[] features, int slice) {
        double[] row = Arrays.copyOf(features, features.length + SLICE_COLUMNS);
        row[features.length] = slice;
        for (int k = 0; k < SLICES - 1; k++) {
            row[features.length + 1 + k] = slice == k ? 1 : 0;
        }
        return row;
    }
}
