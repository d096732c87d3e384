package io.memberpulse.proto.store;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.function.Supplier;

/**
 * A PostgreSQL session advisory lock around a periodic pass over every member: with several replicas on one
 * database, one of them runs it at a time and the others skip that tick (they would only repeat the same work and
 * publish the same changes twice). The lock dies with its connection, so a replica that crashes never holds it.
 */
public final class SessionLock {
    private final Pool pool;
    private final long key;

    /** @param key the lock's id within the database (each service names its own) */
    public SessionLock(Pool pool, long key) {
        this.pool = pool;
        this.key = key;
    }

    /** Runs the work once no other replica (or thread) runs work under this lock, waiting for it. Blocking. */
    public <T> T callWhenFree(Supplier<T> work) {
        SqlConnection connection = pool.getConnection().await().indefinitely();
        try {
            connection.preparedQuery("SELECT pg_advisory_lock($1)").execute(Tuple.of(key)).await().indefinitely();
            try {
                return work.get();
            } finally {
                connection.preparedQuery("SELECT pg_advisory_unlock($1)").execute(Tuple.of(key)).await().indefinitely();
            }
        } finally {
            connection.close().await().indefinitely();
        }
    }

    /** Runs the work if no other replica is running it now; false when skipped. Blocking. */
    public boolean runIfFree(Runnable work) {
        SqlConnection connection = pool.getConnection().await().indefinitely();
        try {
            boolean acquired = connection.preparedQuery("SELECT pg_try_advisory_lock($1)").execute(Tuple.of(key))
                    .await().indefinitely().iterator().next().getBoolean(0);
            if (!acquired) {
                return false;
            }
            try {
                work.run();
                return true;
            } finally {
                connection.preparedQuery("SELECT pg_advisory_unlock($1)").execute(Tuple.of(key)).await().indefinitely();
            }
        } finally {
            connection.close().await().indefinitely();
        }
    }
}
