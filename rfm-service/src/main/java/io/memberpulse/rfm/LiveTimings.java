package io.memberpulse.rfm;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** Where a batch of member.events spends its time, one timer per stage (memberpulse.rfm.live.stage). */
public final class LiveTimings {
    public static final String NAME = "memberpulse.rfm.live.stage";

    private LiveTimings() {
    }

    /** The timer of one stage: record (facts), clock, read, compute, write (PostgreSQL), output (Redis + Kafka). */
    public static Timer stage(MeterRegistry registry, String stage) {
        return Timer.builder(NAME).tag("stage", stage).register(registry);
    }
}
