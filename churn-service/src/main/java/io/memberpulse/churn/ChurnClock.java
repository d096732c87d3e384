package io.memberpulse.churn;

import io.memberpulse.churn.store.ScoreRefreshLock;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * The "window" half of the cadence: re-scores everyone whenever the event-time clock advanced, or when
 * another replica promoted a new model (every replica scores with the one promoted in the database); first
 * puts the scores back into Redis if Redis lost them. One replica at a time re-scores (a PostgreSQL advisory lock),
 * and only when no replica has re-scored at this clock with this model yet; that replica first sends the scores
 * churn.scores never acknowledged (the broker was away when they were made: the batch was not held for them).
 */
@ApplicationScoped
class ChurnClock {
    private static final Logger LOG = Logger.getLogger(ChurnClock.class);
    private final ScoreMembersService service;
    private final ScoreRefreshLock lock;

    ChurnClock(ScoreMembersService service, ScoreRefreshLock lock) {
        this.service = service;
        this.lock = lock;
    }

    @Scheduled(every = "${memberpulse.churn.refresh-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        try {
            service.refillCacheIfLost();
        } catch (RuntimeException redisAway) {
            // Redis away: the scoring goes on without it (its misses are recorded), and the next tick refills
            LOG.warnf("churn scores not repaired or refilled in Redis, next tick tries again: %s", redisAway.getMessage());
        }
        service.followPromotedModel();
        lock.runIfFree(() -> {
            try {
                service.publishUnpublished();
            } catch (RuntimeException e) {
                LOG.warnf("churn scores left unpublished not sent yet, next tick tries again: %s", e.getMessage());
            }
            service.refreshAll();
        });
    }
}
