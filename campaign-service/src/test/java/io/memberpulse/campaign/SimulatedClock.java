package io.memberpulse.campaign;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The service's clock in tests: system time unless a test sets it, as the simulated month does to
 * live through 30 days of due times, escalations and call outcomes in seconds.
 */
@Alternative
@Priority(1)
@Singleton
public class SimulatedClock extends Clock {
    private volatile Instant fixed;

    public void set(Instant now) {
        fixed = now;
    }

    /** Back to system time. */
    public void reset() {
        fixed = null;
    }

    @Override
    public Instant instant() {
        Instant now = fixed;
        return now != null ? now : Instant.now();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
