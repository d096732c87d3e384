package io.memberpulse.churn.domain.features;

import java.time.Instant;
import java.util.List;

/**
 * The members who had purchased by a cut-off, with their features as of it and, for a training or
 * evaluation cut-off, their label (1 = no purchase within the horizon after it).
 *
 * @param population what the histories up to the cut-off said about all members (BG/NBD, product return rates)
 * @param churned null for an unlabelled (scoring) snapshot, and for one whose horizon was not yet over
 *     when facts were last observed
 * @param daysToReturn per member, days from the cut-off to the first purchase after it among the facts
 *     observed (+Infinity when none was); null when unknown. What a survival (hazard) model learns from,
 *     also at cut-offs whose horizon is not over yet
 */
public record Snapshot(Instant asOf, Population population, List<String> memberIds, double[][] features, int[] churned,
        double[] daysToReturn) {

    public Snapshot {
        if (memberIds.size() != features.length || (churned != null && churned.length != features.length)
                || (daysToReturn != null && daysToReturn.length != features.length)) {
            throw new IllegalArgumentException("members, features and labels differ in length");
        }
    }

    /** A snapshot without return times. */
    public Snapshot(Instant asOf, Population population, List<String> memberIds, double[][] features, int[] churned) {
        this(asOf, population, memberIds, features, churned, null);
    }

    public int size() {
        return memberIds.size();
    }

    public boolean labelled() {
        return churned != null;
    }

    public double churnRate() {
        if (churned == null || churned.length == 0) {
            return Double.NaN;
        }
        int sum = 0;
        for (int y : churned) {
            sum += y;
        }
        return sum / (double) churned.length;
    }
}
