package io.memberpulse.rfm;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Publishes the segment changes left queued: an output that failed to publish them (an output tries once, and not at
 * all while the last publishing failed: the broker away, member.segments unwritable) or a replica that stopped between
 * writing the rows and publishing. Any replica may run it at any time; they publish one after the other, oldest first
 * (SegmentChangeOutboxRepository.publishQueuedChanges).
 */
@ApplicationScoped
class SegmentChangeRelay {
    private static final Logger LOG = Logger.getLogger(SegmentChangeRelay.class);

    private final SegmentOutput output;

    SegmentChangeRelay(SegmentOutput output) {
        this.output = output;
    }

    @Scheduled(every = "10s", delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return output.publishQueued()
                .onFailure().invoke(failure -> LOG.warnf("queued segment changes not published yet: %s", failure.getMessage()))
                .onFailure().recoverWithNull();
    }
}
