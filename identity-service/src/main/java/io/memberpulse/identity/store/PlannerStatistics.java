package io.memberpulse.identity.store;

import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Keeps PostgreSQL's statistics of the graph's tables up with a bulk import: each time the events
 * this instance wrote have doubled (from 20,000 on) it analyzes them, in the background. An import
 * outruns autovacuum (in the benchmark's 3x run no table had been analyzed after 660,000 events),
 * and without statistics the planner takes any member id to match 1/200 of member_identifier: the
 * re-pointing of absorbed members' identifiers then read the whole table for every batch (a hash
 * join) instead of probing its member index, a cost growing with the table.
 */
@ApplicationScoped
public class PlannerStatistics {
    static final long FIRST = 20_000;
    private static final Logger LOG = Logger.getLogger(PlannerStatistics.class);

    private final Pool pool;
    private long written;
    private long next = FIRST;
    private boolean analyzing;

    public PlannerStatistics(Pool pool) {
        this.pool = pool;
    }

    /** Counts committed events; starts an ANALYZE when they have doubled since the last one (one at a time). */
    public void written(int events) {
        long at;
        synchronized (this) {
            written += events;
            if (analyzing || written < next) {
                return;
            }
            analyzing = true;
            at = written;
            next = written * 2;
        }
        long started = System.nanoTime();
        pool.query("ANALYZE member, member_identifier, channel_event, identifier_store").execute()
                .subscribe().with(
                        done -> finished(at, started, null),
                        failure -> finished(at, started, failure));
    }

    private void finished(long at, long started, Throwable failure) {
        synchronized (this) {
            analyzing = false;
        }
        if (failure != null) {
            LOG.warnf("ANALYZE of the identity graph's tables failed (retried after the next doubling): %s",
                    failure.getMessage());
        } else {
            LOG.infof("identity graph's tables analyzed after %d events written, in %d ms", at,
                    (System.nanoTime() - started) / 1_000_000);
        }
    }
}
