package io.memberpulse.rfm;

import io.memberpulse.rfm.store.RefreshLock;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Time moves R: re-ages every member whenever the event-time clock has advanced. One replica at a
 * time does it (a PostgreSQL advisory lock); the others skip the tick.
 */
@ApplicationScoped
class RfmClock {
    private final RecomputeRfmService service;
    private final RefreshLock lock;

    RfmClock(RecomputeRfmService service, RefreshLock lock) {
        this.service = service;
        this.lock = lock;
    }

    @Scheduled(every = "${memberpulse.rfm.refresh-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        lock.runIfFree(service::refreshAll);
    }
}
