package io.memberpulse.churn.store;

import io.memberpulse.proto.store.SessionLock;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;

/** The lock around the scheduled re-scoring of every member: one replica re-scores at a time (SessionLock). */
@ApplicationScoped
public class ScoreRefreshLock {
    /** "churn:rf" in ASCII: the lock's id within the database. */
    static final long KEY = 0x636875726e3a7266L;

    private final SessionLock lock;

    public ScoreRefreshLock(Pool pool) {
        this.lock = new SessionLock(pool, KEY);
    }

    /** Runs the work if no other replica is running it now; false when skipped. Blocking. */
    public boolean runIfFree(Runnable work) {
        return lock.runIfFree(work);
    }
}
