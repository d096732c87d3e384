package io.memberpulse.churn.domain.model;

import io.memberpulse.churn.domain.features.Snapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * When each training row's member came back after the row's cut-off, as far as the facts up to an instant
 * tell: what a time-to-return model (COX_GBT) learns from instead of the one H-day cut of a binary label.
 * An early cut-off says more than its label (came back on day 100, or not by day 150); facts after
 * {@code until} are never read.
 *
 * @param days days from the cut-off to the return, or to the end of the facts when censored (> 0)
 * @param returned whether the return was seen by then (false: censored)
 */
public record ReturnTimes(double[] days, boolean[] returned) {

    public ReturnTimes {
        if (days.length != returned.length) {
            throw new IllegalArgumentException("return times and flags differ in length");
        }
    }

    /** The rows of the snapshots (in the order ChurnTraining stacks them), with facts up to {@code until}. */
    public static ReturnTimes of(List<Snapshot> snapshots, Instant until) {
        int size = snapshots.stream().mapToInt(Snapshot::size).sum();
        double[] days = new double[size];
        boolean[] returned = new boolean[size];
        int row = 0;
        for (Snapshot snapshot : snapshots) {
            if (snapshot.daysToReturn() == null) {
                throw new IllegalArgumentException("the snapshot at " + snapshot.asOf() + " has no return times");
            }
            double observed = Duration.between(snapshot.asOf(), until).getSeconds() / 86_400d;
            if (observed <= 0) {
                throw new IllegalArgumentException("the snapshot at " + snapshot.asOf() + " is not before " + until);
            }
            for (double back : snapshot.daysToReturn()) {
                returned[row] = back <= observed;
                days[row] = returned[row] ? back : observed;
                row++;
            }
        }
        return new ReturnTimes(days, returned);
    }

    public int size() {
        return days.length;
    }

    /** XGBoost survival:cox labels: the time, negative where censored. */
    float[] coxLabels() {
        float[] labels = new float[days.length];
        for (int i = 0; i < labels.length; i++) {
            float t = (float) Math.max(days[i], 1e-3);
            labels[i] = returned[i] ? t : -t;
        }
        return labels;
    }

    /**
     * Breslow's estimate of the baseline cumulative hazard of returning by {@code horizonDays}, given each
     * row's hazard ratio: the sum over returns by then of 1 / (the hazard ratios of the rows still at risk).
     */
    double baselineHazard(double[] hazardRatios, double horizonDays) {
        Integer[] order = new Integer[days.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(days[a], days[b]));
        double[] atRisk = new double[order.length + 1];
        for (int k = order.length - 1; k >= 0; k--) {
            atRisk[k] = atRisk[k + 1] + hazardRatios[order[k]];
        }
        double cumulative = 0;
        int tieStart = 0;
        for (int k = 0; k < order.length && days[order[k]] <= horizonDays; k++) {
            if (k > 0 && days[order[k]] != days[order[k - 1]]) {
                tieStart = k;
            }
            if (returned[order[k]]) {
                cumulative += 1 / atRisk[tieStart];
            }
        }
        return cumulative;
    }
}
