package io.memberpulse.churn.domain.features;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

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
 * @param products per member, the products (SKUs) bought up to the cut-off, which a training run's
 *     product-bag regression reads; null when not kept
 */
public record Snapshot(Instant asOf, Population population, List<String> memberIds, double[][] features, int[] churned,
        double[] daysToReturn, List<Set<String>> products) {

    public Snapshot {
        if (memberIds.size() != features.length || (churned != null && churned.length != features.length)
                || (daysToReturn != null && daysToReturn.length != features.length)
                || (products != null && products.size() != features.length)) {
            throw new IllegalArgumentException("members, features and labels differ in length");
        }
    }

    /** A snapshot without the members' products. */
    public Snapshot(Instant asOf, Population population, List<String> memberIds, double[][] features, int[] churned,
            double[] daysToReturn) {
        this(asOf, population, memberIds, features, churned, daysToReturn, null);
    }

    /** A copy with one feature column replaced (the rows are copied; this snapshot is left as it is). */
    public Snapshot withColumn(Feature feature, double[] values) {
        if (values.length != features.length) {
            throw new IllegalArgumentException(feature.key() + ": " + values.length + " values for " + features.length
                    + " members");
        }
        double[][] rows = new double[features.length][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = features[i].clone();
            rows[i][feature.ordinal()] = values[i];
        }
        return new Snapshot(asOf, population, memberIds, rows, churned, daysToReturn, products);
    }

    /**
     * The members staff did not call within the horizon before they came back ({@link Feature#TREATED_IN_HORIZON}
     * not 1): a validation window asks what served scores ask, who churns if left alone. A called member's label
     * answers another question,
     * and the flag, set on the window from what happened after its cut-off, is a fact no served score has.
     */
    public Snapshot leftAlone() {
        int treated = Feature.TREATED_IN_HORIZON.ordinal();
        int[] kept = IntStream.range(0, features.length).filter(i -> features[i][treated] != 1).toArray();
        if (kept.length == features.length) {
            return this;
        }
        return new Snapshot(asOf, population, Arrays.stream(kept).mapToObj(memberIds::get).toList(),
                Arrays.stream(kept).mapToObj(i -> features[i]).toArray(double[][]::new),
                churned == null ? null : Arrays.stream(kept).map(i -> churned[i]).toArray(),
                daysToReturn == null ? null : Arrays.stream(kept).mapToDouble(i -> daysToReturn[i]).toArray(),
                products == null ? null : Arrays.stream(kept).mapToObj(products::get).toList());
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
