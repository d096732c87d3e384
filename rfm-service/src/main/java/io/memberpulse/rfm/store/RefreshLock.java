package io.memberpulse.rfm.store;

import io.memberpulse.proto.store.SessionLock;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Supplier;

/**
 * The lock around the scheduled re-ageing of every member: one replica re-ages at a time (SessionLock), the others
 * skip that tick. The backfill after a segment definition changed waits for it instead, so it never runs alongside
 * another replica's pass.
 */
@ApplicationScoped
public class RefreshLock {
    /** "rfm:refresh" in ASCII: the lock's id within the database. */
    static final long KEY = 0x72666d3a72656672L;

    private final SessionLock lock;

    public RefreshLock(Pool pool) {
        this.lock = new SessionLock(pool, KEY);
    }

    /** Runs the work once no other replica (or thread) runs work under this lock, waiting for it. Blocking. */
    public <T> T callWhenFree(Supplier<T> work) {
        return lock.callWhenFree(work);
    }

    /** Runs the work if no other replica is running it now; false when skipped. Blocking. */
    public boolean runIfFree(Runnable work) {
        return lock.runIfFree(work);
    }
}
