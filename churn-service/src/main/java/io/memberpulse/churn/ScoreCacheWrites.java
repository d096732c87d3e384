package io.memberpulse.churn;

import io.memberpulse.churn.store.MissedScoreRepository;
import io.memberpulse.churn.store.ScoreCache;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The scoring's Redis writes, which a Redis outage neither fails nor silently loses. A write that fails (Redis
 * unreachable, or skipped within the back-off after a failure) leaves the score stored and published all the same, and
 * records its members as missed in PostgreSQL, shared by every replica: Redis may come back with its old data (a
 * failover, a restart from a snapshot), holding their old scores and a ranking still marked complete. The next tick of
 * any replica repairs that ({@link #repairMissed}) before its refill. Until then this replica, which knows of misses,
 * reads PostgreSQL ({@link #missesPending}); another replica that saw no failure learns of them at its next tick, and
 * Redis is repaired by then.
 */
@ApplicationScoped
public class ScoreCacheWrites {
    private static final Logger LOG = Logger.getLogger(ScoreCacheWrites.class);
    private static final int PAGE = 10_000;

    private final ScoreCache cache;
    private final MissedScoreRepository missed;
    private volatile boolean pending;

    public ScoreCacheWrites(ScoreCache cache, MissedScoreRepository missed) {
        this.cache = cache;
        this.missed = missed;
    }

    /**
     * Runs a Redis write of these members' scores (or removals), blocking; if it fails, records them as missed instead
     * of failing. Only a failure to record that (PostgreSQL down too) fails the caller, whose batch is then retried.
     * Called under the scoring lock (ScoreMembersService), as {@link #repairMissed} is.
     */
    public void write(Collection<String> memberIds, Runnable write) {
        if (memberIds.isEmpty()) {
            return;
        }
        try {
            write.run();
        } catch (RuntimeException failure) {
            pending = true;
            missed.record(memberIds).await().indefinitely();
            LOG.warnf("%d churn scores not written to Redis, recorded for repair: %s", memberIds.size(),
                    failure.getMessage());
        }
    }

    /** Whether this replica knows of scores Redis missed and are not repaired yet: reads then go to PostgreSQL. */
    public boolean missesPending() {
        return pending;
    }

    /**
     * Takes the missed members' scores and places, and the rankings' completeness mark (and the token of a refill under
     * way, which may have passed them), out of Redis, then forgets the misses: GetScore then reads them from
     * PostgreSQL, TopRisk reads PostgreSQL until the refill that follows puts every stored score back. Fails while
     * Redis still cannot be reached (the next tick tries again). Blocking, under the scoring lock: a miss this replica
     * is recording is never forgotten as none.
     */
    public void repairMissed() {
        // distrusted again once they are out: a refill begun in between may have passed them while still cached
        int repaired = missed.repairAll(PAGE, () -> pending = true, memberIds -> cache.distrust()
                .chain(() -> cache.removeAll(memberIds, List.of())).chain(cache::distrust));
        pending = false;
        if (repaired > 0) {
            LOG.infof("%d churn scores Redis missed while unreachable taken out of it: the refill puts them back",
                    repaired);
        }
    }
}
