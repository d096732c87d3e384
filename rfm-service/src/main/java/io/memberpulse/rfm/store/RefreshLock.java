package io.memberpulse.rfm.store;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A PostgreSQL session advisory lock around the scheduled re-ageing of every member: with several
 * replicas on one database, one of them re-ages at a time and the others skip that tick (it would
 * only repeat the same work and publish the same segment changes twice). The backfill after a segment
 * definition changed waits for it instead, so it never runs alongside another replica's pass. The lock dies with the
 * connection, so a replica that crashes never holds it.
 */
@ApplicationScoped
public class RefreshLock {
    /** "rfm:refresh" in ASCII: the lock's id within the database. */
    static final long KEY = 0x72666d3a72656672L;

    private final Pool pool;

    public RefreshLock(Pool pool) {
        this.pool = pool;
    }

    /**
     * Runs the work once no other replica (or thread) is running work under this lock, waiting for it: the backfill
     * after a segment definition changed, which must not be skipped. Blocking.
     */
    public <T> T callWhenFree(java.util.function.Supplier<T> work) {
        SqlConnection connection = pool.getConnection().await().indefinitely();
        try {
            connection.preparedQuery("SELECT pg_advisory_lock($1)").execute(Tuple.of(KEY)).await().indefinitely();
            try {
                return work.get();
            } finally {
                connection.preparedQuery("SELECT pg_advisory_unlock($1)").execute(Tuple.of(KEY)).await().indefinitely();
            }
        } finally {
            connection.close().await().indefinitely();
        }
    }

    /** Runs the work if no other replica is running it now; false when skipped. Blocking. */
    public boolean runIfFree(Runnable work) {
        SqlConnection connection = pool.getConnection().await().indefinitely();
        try {
            boolean acquired = connection.preparedQuery("SELECT pg_try_advisory_lock($1)").execute(Tuple.of(KEY))
                    .await().indefinitely().iterator().next().getBoolean(0);
            if (!acquired) {
                return false;
            }
            try {
                work.run();
                return true;
            } finally {
                connection.preparedQuery("SELECT pg_advisory_unlock($1)").execute(Tuple.of(KEY)).await().indefinitely();
            }
        } finally {
            connection.close().await().indefinitely();
        }
    }
}
