package io.memberpulse.churn;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The "window" half of the cadence: re-scores everyone whenever the event-time clock advanced, or when
 * another replica promoted a new model (every replica scores with the one promoted in the database); first
 * puts the scores back into Redis if Redis lost them.
 */
@ApplicationScoped
class ChurnClock {
    private final ScoreMembersService service;

    ChurnClock(ScoreMembersService service) {
        this.service = service;
    }

    @Scheduled(every = "${memberpulse.churn.refresh-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        service.refillCacheIfLost();
        service.followPromotedModel();
        service.refreshAll();
    }
}
