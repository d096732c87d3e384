package io.memberpulse.churn;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The "window" half of the cadence: re-scores everyone whenever the event-time clock advanced, or when
 * another replica promoted a new model (every replica scores with the one promoted in the database).
 */
@ApplicationScoped
class ChurnClock {
    private final ScoreMembersService service;
    private final ModelRegistry models;

    ChurnClock(ScoreMembersService service, ModelRegistry models) {
        this.service = service;
        this.models = models;
    }

    @Scheduled(every = "${memberpulse.churn.refresh-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        if (models.follow()) {
            service.rescoreEveryone();
        }
        service.refreshAll();
    }
}
