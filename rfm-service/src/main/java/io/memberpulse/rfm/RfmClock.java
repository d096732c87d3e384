package io.memberpulse.rfm;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

/** Time moves R: re-ages every member whenever the event-time clock has advanced. */
@ApplicationScoped
class RfmClock {
    private final RecomputeRfmService service;

    RfmClock(RecomputeRfmService service) {
        this.service = service;
    }

    @Scheduled(every = "${memberpulse.rfm.refresh-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        service.refreshAll();
    }
}
