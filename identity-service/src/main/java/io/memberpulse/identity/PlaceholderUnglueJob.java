package io.memberpulse.identity;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Takes up members glued by a placeholder that no import split (a crash between the batch's commit and the split, a
 * failed split, a writer that stepped down): the values quarantined after they linked and not marked unglued
 * ({@code quarantined_identifier.unglued_at}, V16). A cheap look while there is none.
 */
@ApplicationScoped
public class PlaceholderUnglueJob {
    private static final Logger LOG = Logger.getLogger(PlaceholderUnglueJob.class);

    private final SplitMemberService splits;
    private final SingleWriter writer;

    public PlaceholderUnglueJob(SplitMemberService splits, SingleWriter writer) {
        this.splits = splits;
        this.writer = writer;
    }

    @Scheduled(every = "60s", delayed = "20s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void unglueLeftOver() {
        if (!writer.isWriter()) {
            return;
        }
        try {
            int split = splits.unglueQuarantined().size();
            if (split > 0) {
                LOG.infof("split %d members glued by a placeholder, left over from before", split);
            }
        } catch (RuntimeException e) {
            LOG.warnf("members glued by a placeholder left for the next attempt: %s", e.toString());
        }
    }
}
