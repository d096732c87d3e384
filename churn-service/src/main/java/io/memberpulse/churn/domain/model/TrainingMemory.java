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

    private TrainingMemory() {
    }

    /** How many snapshots a run in the service builds (it fits no hazard kind). */
    public static int cutoffs(TrainingPlan plan) {
        return plan.snapshotCutoffs(false).size();
    }

    public static long estimate(int members, TrainingPlan plan) {
        return (long) members * cutoffs(plan) * BYTES_PER_MEMBER_CUTOFF;
    }

    /**
     * @param freeBytes heap not in use (after a collection), of maxBytes in all
     * @throws NotEnoughMemoryException when the estimate exceeds what is free
     */
    public static void require(int members, TrainingPlan plan, long freeBytes, long maxBytes) {
        long needed = estimate(members, plan);
        if (needed > freeBytes) {
            throw new NotEnoughMemoryException(String.format(java.util.Locale.ROOT,
                    "not enough memory to train: %,d members at %d cut-offs need about %,d MB of heap, and %,d MB of "
                            + "the service's %,d MB are free; give churn-service more memory (the launcher's "
                            + "MEMBERPULSE_CHURN_HEAP, the chart's resources.limits.memory)",
                    members, cutoffs(plan), mb(needed), mb(freeBytes), mb(maxBytes)));
        }
    }

    private static long mb(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }
}
