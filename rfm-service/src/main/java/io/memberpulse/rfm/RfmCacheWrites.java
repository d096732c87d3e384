package io.memberpulse.rfm;

import io.memberpulse.rfm.store.MemberRowRepository;
import io.memberpulse.rfm.store.MissedRfmRepository;
import io.memberpulse.rfm.store.RfmCache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The outputs' Redis writes, which a Redis outage neither fails nor silently loses. A write that fails (Redis
 * unreachable, or skipped within the back-off after a failure) leaves the rows stored and their changes published all
 * the same, and records the members as missed in PostgreSQL, shared by every replica: Redis may come back with its old
 * data (a failover, a restart from a snapshot) and serve their old rows. The repair, on every replica each
 * refresh-every, caches their rows again from PostgreSQL. Until then this replica, which knows of misses, reads members
 * from PostgreSQL ({@link #missesPending}); another replica that saw no failure learns of them at its next repair,
 * which has put Redis right by then.
 */
@ApplicationScoped
public class RfmCacheWrites {
    private static final Logger LOG = Logger.getLogger(RfmCacheWrites.class);
    private static final int PAGE = 10_000;

    private final RfmCache cache;
    private final MissedRfmRepository missed;
    private final MemberRowRepository repository;
    /** Writes that failed, and those of them whose miss is recorded: a miss counts as repaired once recorded before a repair found none. */
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong recorded = new AtomicLong();
    private volatile long repairedThrough;
    private volatile boolean stored;

    public RfmCacheWrites(RfmCache cache, MissedRfmRepository missed, MemberRowRepository repository) {
        this.cache = cache;
        this.missed = missed;
        this.repository = repository;
    }

    /**
     * Runs a Redis write of these members' rows (or removals); if it fails, records them as missed instead of failing.
     * Only a failure to record that (PostgreSQL down too) fails it.
     */
    public Uni<Void> write(Collection<String> memberIds, Supplier<Uni<Void>> write) {
        if (memberIds.isEmpty()) {
            return write.get();
        }
        return Uni.createFrom().<Void>deferred(write::get).onFailure().recoverWithUni(failure -> {
            failed.incrementAndGet();
            return missed.record(memberIds).invoke(() -> LOG.warnf(
                    "%d RFM rows not written to Redis, recorded for repair: %s", memberIds.size(), failure.getMessage()))
                    .eventually(() -> {
                        recorded.incrementAndGet();
                    });
        });
    }

    /** Whether this replica knows of rows Redis missed and are not repaired yet: reads then go to PostgreSQL. */
    public boolean missesPending() {
        return stored || failed.get() > repairedThrough;
    }

    @Scheduled(every = "${memberpulse.rfm.refresh-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        repairMissed();
    }

    /**
     * Caches the missed members' rows again from PostgreSQL (by the writers' compare-and-set: a newer row cached since
     * stays) and deletes those of members with no row left, then forgets the misses. Fails while Redis still cannot be
     * reached (the next tick tries again). Blocking.
     */
    public void repairMissed() {
        // misses recorded by now are in the table: once the repair finds none left, they are all repaired
        long recordedBefore = recorded.get();
        int repaired = missed.repairAll(PAGE, () -> stored = true, memberIds -> repository.rowsOf(memberIds)
                .chain(rows -> {
                    List<String> gone = new ArrayList<>(memberIds);
                    gone.removeAll(rows.keySet());
                    return cache.forget(gone).chain(() -> cache.putAll(List.copyOf(rows.values())));
                }));
        stored = false;
        repairedThrough = Math.max(repairedThrough, recordedBefore);
        if (repaired > 0) {
            LOG.infof("%d RFM rows Redis missed while unreachable cached again from PostgreSQL", repaired);
        }
    }
}
