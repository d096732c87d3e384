package io.memberpulse.churn;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * When to try churn.scores again while it stays away. A try that fails takes up to the producer's bounds (about 40 s)
 * and holds the scoring lock meanwhile (ScoreMembersService.publishUnpublished), so the batches of member.events,
 * which score under the same lock, would move only between tries: after each failed try in a row the next waits twice
 * as long, from {@code firstWait} (the refresh period) up to {@code maxWait} (a first wait longer than that waits
 * {@code maxWait}). The first try after the broker went away is due at once, and a try that goes through starts over.
 * Whether the broker is away at all ({@link #failing()}) is kept here too, so that the scorings that skip their sends
 * meanwhile and the tries that back off read one fact.
 */
final class ProbeBackoff {
    private final Duration firstWait;
    private final Duration maxWait;
    /** The monotonic clock, in nanoseconds ({@link System#nanoTime()} in service). */
    private final LongSupplier nanoTime;
    /**
     * How long after the last failed try the next is due; null: the broker is not away (no send failed since the last
     * try that went through); zero: it is away, and no try failed yet (a scoring's send did), so the first is due at once.
     */
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

    /** Whether the broker is away: a send failed (a try's or a scoring's) since the last try that went through. */
    synchronized boolean failing() {
        return wait != null;
    }

    /** Whether a try is due now: when none failed since the last that went through, or the wait since has passed. */
    synchronized boolean due() {
        return wait == null || wait.isZero() || nanoTime.getAsLong() - lastFailedAt >= wait.toNanos();
    }

    /**
     * A send outside a try failed (a scoring's): the broker is away from now, and the first try is due at once; no
     * change while it is already away.
     */
    synchronized void wentAway() {
        if (wait == null) {
            wait = Duration.ZERO;
        }
    }

    /** A try failed, now: the next waits the first wait, or twice the last, at most the max; returns that wait. */
    synchronized Duration failed() {
        wait = min(wait == null || wait.isZero() ? firstWait : wait.multipliedBy(2), maxWait);
        lastFailedAt = nanoTime.getAsLong();
        return wait;
    }

    /** A try went through: the broker is back, and the first try after it goes away again is due at once. */
    synchronized void succeeded() {
        wait = null;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
