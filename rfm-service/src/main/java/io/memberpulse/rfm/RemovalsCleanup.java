package io.memberpulse.rfm;

import io.memberpulse.rfm.store.MemberRowRepository;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Forgets the removals other replicas no longer need: a replica further behind than they reach loads every row
 * again (MemberStates). Any replica may run it at any time; deleting old rows twice is harmless.
 */
@ApplicationScoped
class RemovalsCleanup {
    private static final Logger LOG = Logger.getLogger(RemovalsCleanup.class);
    static final Duration KEPT = Duration.ofDays(MemberRowRepository.REMOVALS_KEPT_DAYS);

    private final MemberRowRepository rows;

    RemovalsCleanup(MemberRowRepository rows) {
        this.rows = rows;
    }

    @Scheduled(every = "${memberpulse.rfm.removals-cleanup-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return forgetOlderThanKept(Instant.now());
    }

    Uni<Void> forgetOlderThanKept(Instant now) {
        return rows.forgetRemovalsBefore(now.minus(KEPT))
                .invoke(forgotten -> LOG.debugf("forgot %d member removals older than %s", forgotten, KEPT))
                .replaceWithVoid();
    }
}
