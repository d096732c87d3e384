package io.memberpulse.identity;

import io.memberpulse.identity.store.WriterLock;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * The identity graph lives in this process's memory and is written by one instance only: two writers
 * would each link against a graph missing the other's members and create duplicates. The chart runs
 * one replica, but nothing else stops a second one (a scaled deployment, a rollout overlapping the
 * old pod, a launcher started twice), so writes need the PostgreSQL writer lock. An instance without
 * it answers reads, reports itself not ready, refuses imports and splits with a reason, and takes the
 * lock over when the writer goes away.
 */
@ApplicationScoped
public class SingleWriter {
    private static final Logger LOG = Logger.getLogger(SingleWriter.class);

    private final WriterLock lock;

    public SingleWriter(WriterLock lock) {
        this.lock = lock;
    }

    void onStart(@Observes StartupEvent start) {
        if (!lock.tryAcquire()) {
            LOG.warnf("%s; retrying every 10 s", reason());
        }
    }

    /** A standby retries, so that it takes over when the writer stops. */
    @Scheduled(every = "10s", delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void retry() {
        if (!lock.held() && lock.tryAcquire()) {
            LOG.info("identity writer lock taken: this instance now imports");
        }
    }

    public boolean isWriter() {
        return lock.held();
    }

    /**
     * Throws unless this instance is the writer.
     *
     * @return the current tenure as writer: state kept in memory from an earlier one may be stale
     */
    public long check() {
        if (!lock.held()) {
            throw new NotWriterException(reason());
        }
        return lock.tenure();
    }

    public String reason() {
        return "this identity-service instance is not the writer: another instance holds the writer lock (PostgreSQL "
                + "advisory lock " + WriterLock.KEY + ") or the database could not be reached; it serves reads only";
    }
}
