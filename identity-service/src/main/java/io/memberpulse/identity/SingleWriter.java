package io.memberpulse.identity;

import io.memberpulse.identity.store.WriterLock;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The identity graph lives in this process's memory and is written by one instance only: two writers
 * would each link against a graph missing the other's members and create duplicates. The chart runs
 * one replica, but nothing else stops a second one (a scaled deployment, a rollout overlapping the
 * old pod, a launcher started twice), so writes need the PostgreSQL writer lock. An instance without
 * it answers reads, reports itself not ready, refuses imports and splits with a reason, and takes the
 * lock over when the writer goes away.
 * <p>
 * Holding the lock is checked where it matters, in each write transaction ({@link #inTransaction}): a writer whose
 * lock session the server ended (while this process may not have heard of it) writes nothing and steps down.
 */
@ApplicationScoped
public class SingleWriter {
    private static final Logger LOG = Logger.getLogger(SingleWriter.class);

    private final WriterLock lock;
    private final Pool pool;
    private final Duration pingTimeout;

    public SingleWriter(WriterLock lock, Pool pool, IdentityConfig config) {
        this.lock = lock;
        this.pool = pool;
        this.pingTimeout = config.identity().writerPingTimeout();
        if (pingTimeout.isNegative() || pingTimeout.isZero()) {
            throw new IllegalArgumentException("memberpulse.identity.writer-ping-timeout: must be longer than zero, not "
                    + pingTimeout);
        }
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

    /** The current tenure as writer, empty on a standby. */
    public Optional<WriterLock.Tenure> tenure() {
        return Optional.ofNullable(lock.tenure());
    }

    /**
     * Whether this instance still holds the writer lock in {@code tenure}, as far as it knows ({@link #inTransaction}
     * makes sure): false once it stepped down, even if it took the lock again since.
     */
    public boolean holds(WriterLock.Tenure tenure) {
        return tenure.equals(lock.tenure());
    }

    /**
     * Throws unless this instance is the writer.
     *
     * @return the current tenure as writer: state kept in memory from an earlier one may be stale
     */
    public WriterLock.Tenure check() {
        WriterLock.Tenure tenure = lock.tenure();
        if (tenure == null) {
            throw new NotWriterException(reason());
        }
        return tenure;
    }

    /**
     * Runs {@code work} in one transaction if this instance still holds the writer lock in {@code tenure} (the one
     * the written state was computed in), checked inside that transaction ({@link WriterLock#fence}): otherwise
     * nothing is written, this instance steps down (a standby from then on, taking the lock again when it can) and
     * the caller gets a {@link NotWriterException}, so whatever it was writing is not taken as stored (a REST or
     * gRPC import answers 503 / UNAVAILABLE, a Kafka poll is not acknowledged and is imported again). Blocking.
     */
    public <T> T inTransaction(WriterLock.Tenure tenure, Function<SqlConnection, Uni<T>> work) {
        if (!lock.answers(tenure, pingTimeout)) { // promptness only; the fence below is the guarantee
            throw new NotWriterException(reason());
        }
        try {
            return pool.withTransaction(connection -> lock.fence(connection, tenure).flatMap(held -> held
                    ? work.apply(connection) : Uni.createFrom().failure(new LockLost()))).await().indefinitely();
        } catch (LockLost e) {
            lock.lost(tenure);
            throw new NotWriterException(reason() + " (the writer lock was lost while this instance held it; nothing "
                    + "was written)");
        }
    }

    /** The fence failed: the transaction rolls back. */
    private static final class LockLost extends RuntimeException {
        LockLost() {
            super("the identity writer lock is no longer held by this instance's session", null, false, false);
        }
    }

    public String reason() {
        return "this identity-service instance is not the writer: another instance holds the writer lock (PostgreSQL "
                + "advisory lock " + WriterLock.KEY + ") or the database could not be reached; it serves reads only";
    }
}
