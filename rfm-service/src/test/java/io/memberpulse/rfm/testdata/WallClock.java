package io.memberpulse.rfm.testdata;

import java.time.Instant;

/** Instants of the wall clock for tests of definitions versioned by the service's clock. */
public final class WallClock {
    private WallClock() {
    }

    /** An instant of the wall clock strictly between what happened before and what happens after. */
    public static Instant tick() {
        try {
            Thread.sleep(20);
            Instant now = Instant.now();
            Thread.sleep(20);
            return now;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
