package io.memberpulse.churn.domain.model;

import io.memberpulse.churn.domain.NotEnoughMemoryException;

/**
 * The heap a training run needs, estimated before it starts. A run holds every member's features at each
 * cut-off it builds; one that exhausted the heap would also break the service's consumers and producers,
 * so a run that cannot fit is refused with what it needs instead.
 */
public final class TrainingMemory {
    /**
     * Bytes per member and cut-off: the feature row, its copy with the product-bag column, and the stacked
     * copies a model fit makes. TrainingScaleBenchmarkTest measured 0.67 KB live at the end of the snapshot
     * stages (CDNOW copied 1 and 4 times); 1 KB leaves room for the fits' transient copies.
     */
    static final long BYTES_PER_MEMBER_CUTOFF = 1_024;
    /**
     * Bytes per fact read (an order line, refund, review, coupon, call): its Activity in the member's history, with
     * strings of its own as the repository builds them. Measured: Online Retail's 389,168 facts before 2011-12-01
     * (4,331 members), each copied with fresh strings, held 122 MB live after a GC, 314 bytes each. Not counted: the
     * driver's result set while the histories are built from it, freed before any snapshot is built.
     */
    static final long BYTES_PER_FACT = 320;
    /**
     * Bytes per fact and cut-off: the products (SKUs) each member bought up to a cut-off, which every snapshot keeps
     * for the product-bag regression; at most one set entry per order line. Measured on the same facts at the 24
     * cut-offs: 2,297,715 entries took 36.6 MB beyond the feature rows, 16 bytes each (4 per fact and cut-off there,
     * where members buy the same products again; 16 when every line is a product new to its member).
     */
    static final long BYTES_PER_FACT_CUTOFF = 16;

    private TrainingMemory() {
    }

    /**
     * What a run is about to read, counted before it reads it (ModelInputRepository#countFactsBefore).
     *
     * @param activityRows the facts: order lines and member activities (refunds, reviews, coupons, calls ...)
     */
    public record Facts(int members, long activityRows) {
    }

    /** How many snapshots a run in the service builds (it fits no hazard kind). */
    public static int cutoffs(TrainingPlan plan) {
        return plan.snapshotCutoffs(false).size();
    }

    public static long estimate(int members, TrainingPlan plan) {
        return (long) members * cutoffs(plan) * BYTES_PER_MEMBER_CUTOFF;
    }

    /** A run before it reads its facts: their histories, and the snapshots with the products bought at each cut-off. */
    public static long estimate(Facts facts, TrainingPlan plan) {
        return estimate(facts.members(), plan) + facts.activityRows() * (BYTES_PER_FACT
                + cutoffs(plan) * BYTES_PER_FACT_CUTOFF);
    }

    /** The heap left free once the facts are read, from what was free before (measured once per run). */
    public static long freeAfterReading(long freeBeforeRead, long factsRead) {
        return Math.max(0, freeBeforeRead - factsRead * BYTES_PER_FACT);
    }

    /**
     * Checked after the facts are read (they are in use already): the snapshots of the members read.
     *
     * @param freeBytes heap not in use (after a collection), of maxBytes in all
     * @throws NotEnoughMemoryException when the estimate exceeds what is free
     */
    public static void require(int members, TrainingPlan plan, long freeBytes, long maxBytes) {
        require(String.format(java.util.Locale.ROOT, "%,d members at %d cut-offs", members, cutoffs(plan)),
                estimate(members, plan), freeBytes, maxBytes);
    }

    /**
     * Checked before the facts are read, from their count: a run that would exhaust the heap while reading them would
     * take the service down with it, and its job would be resumed on the next replica to do the same.
     */
    public static void require(Facts facts, TrainingPlan plan, long freeBytes, long maxBytes) {
        require(String.format(java.util.Locale.ROOT, "%,d members with %,d facts at %d cut-offs", facts.members(),
                facts.activityRows(), cutoffs(plan)), estimate(facts, plan), freeBytes, maxBytes);
    }

    private static void require(String run, long needed, long freeBytes, long maxBytes) {
        if (needed > freeBytes) {
            throw new NotEnoughMemoryException(String.format(java.util.Locale.ROOT,
                    "not enough memory to train: %s need about %,d MB of heap, and %,d MB of the service's %,d MB are "
                            + "free; give churn-service more memory (the launcher's MEMBERPULSE_CHURN_HEAP, the "
                            + "chart's resources.limits.memory)",
                    run, mb(needed), mb(freeBytes), mb(maxBytes)));
        }
    }

    private static long mb(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }
}
