package io.memberpulse.churn;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * When to try churn.scores again while it stays away. A try that fails takes up to the producer's bounds (about 40 s)
 * and holds the scoring lock meanwhile (ScoreMembersService.publishUnpublished), so the batches of member.events,
 * which score under the same lock, would move only between tries: after each failed try in a row the next waits twice
 * as long, from {@code firstWait} (the refresh period) up to {@code maxWait} (a first wait longer than that waits
 * {@code maxWait}). The first try after the broker went away is due at once, and a try that goes through starts over.
 */
final class ProbeBackoff {
    private final Duration firstWait;
    private final Duration maxWait;
    /** The monotonic clock, in nanoseconds ({@link System#nanoTime()} in service). */
    private final LongSupplier nanoTime;
    /** How long after the last failed try the next is due; null: none failed since the last that went through. */
    private Duration wait;
    private long lastFailedAt;

    ProbeBackoff(Duration firstWait, Duration maxWait, LongSupplier nanoTime) {
        if (firstWait == null || firstWait.isNegative() || firstWait.isZero()) {
            throw new IllegalArgumentException("firstWait: must be positive, was " + firstWait);
        }
        if (maxWait == null || maxWait.isNegative() || maxWait.isZero()) {
            throw new IllegalArgumentException("maxWait: must be positive, was " + maxWait);
        }
        this.firstWait = firstWait;
        this.maxWait = maxWait;
        this.nanoTime = nanoTime;
    }

    /** Whether a try is due now: when none failed since the last that went through, or the wait since has passed. */
    synchronized boolean due() {
        return wait == null || nanoTime.getAsLong() - lastFailedAt >= wait.toNanos();
    }

    /** A try failed, now: the next waits the first wait, or twice the last, at most the max; returns that wait. */
    synchronized Duration failed() {
        wait = min(wait == null ? firstWait : wait.multipliedBy(2), maxWait);
        lastFailedAt = nanoTime.getAsLong();
        return wait;
    }

    /** A try went through: the first try after the broker goes away again is due at once. */
    synchronized void succeeded() {
        wait = null;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
