package io.memberpulse.campaign.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.memberpulse.campaign.CampaignConfig;
import io.memberpulse.campaign.domain.CallTask;
import io.memberpulse.proto.redis.RedisBackoff;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.keys.ReactiveKeyCommands;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Each store's ranked OPEN tasks in Redis, with the calls it made that day, so that repeated call-list reads skip
 * PostgreSQL.
 * PostgreSQL stays the truth: Redis trouble means a miss, never an error, nor a stale list. Every call goes through one
 * back-off (proto.redis.RedisBackoff): after a failure Redis is skipped for memberpulse.campaign.redis-backoff (by
 * reads after a read's, by reads and writes after a write's), and a read gives up after
 * memberpulse.campaign.redis-read-timeout, so a Redis down or hanging costs reads no wait.
 *
 * <p>A reader that loaded a list from PostgreSQL just before a change committed must not cache it
 * after the invalidation. So each store has a generation that every invalidation bumps, and a list
 * is only cached if the generation is still the one seen before loading it.
 *
 * <p>An invalidation Redis misses (unreachable, or skipped within the back-off) leaves the change stored all the same,
 * and records the stores in PostgreSQL, shared by every replica: Redis may come back with the lists it held, showing
 * tasks already called or cancelled, and staff would call a member twice. The repair, on every replica each
 * redis-repair-every once Redis answers, drops those stores' lists ({@link #repairMissed}). Until then this replica,
 * which saw Redis fail (an invalidation, or a read: another replica may have missed one), reads every call list from
 * PostgreSQL and caches none ({@link #missesPending}); a replica that saw no failure meanwhile learns of the misses at
 * its next repair.
 */
@ApplicationScoped
public class CallListCache {
    private static final Logger LOG = Logger.getLogger(CallListCache.class);
    private static final int REPAIR_PAGE = 10_000;
    private static final TypeReference<Entry> ENTRY = new TypeReference<>() {
    };
    private static final String NO_GENERATION = "0";
    /** KEYS: generation, list. ARGV: generation seen, TTL seconds, list. */
    private static final String SET_IF_SAME_GENERATION = """
            if (redis.call('GET', KEYS[1]) or '0') == ARGV[1] then
              redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[2])
              return 1
            end
            return 0""";

    /** What a lookup found, and the generation to hand back to {@link #put}. */
    public record Lookup(Optional<Entry> entry, String generation) {
    }

    /**
     * A store's ranked open tasks, and the outcomes it recorded on {@code day} (in the chain's day-zone) when they were
     * loaded: recording an outcome invalidates the entry, so the count stays current until the day ends.
     */
    public record Entry(LocalDate day, long callsMade, List<CallTask> tasks) {
        public Entry {
            tasks = List.copyOf(tasks);
        }
    }

    private final ReactiveRedisDataSource redis;
    private final ReactiveValueCommands<String, String> values;
    private final ReactiveKeyCommands<String> keys;
    private final ObjectMapper json;
    private final String keyPrefix;
    private final String ttlSeconds;
    private final Duration ttl;
    private final RedisBackoff backoff;
    private final MissedCallListRepository missed;
    /**
     * Redis failures this replica saw, and those of them whose miss is recorded (a failed read has none to record): a
     * failure counts as repaired once recorded before a repair, begun once Redis answered, found no miss left.
     */
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong recorded = new AtomicLong();
    private volatile long repairedThrough;
    private volatile boolean repairing;
    /** An invalidation missed and not recorded either (PostgreSQL away too) is repaired by the TTL only: till then. */
    private volatile long unrecordedUntilNanos = System.nanoTime();

    public CallListCache(ReactiveRedisDataSource redis, ObjectMapper json, CampaignConfig config,
            MissedCallListRepository missed) {
        this.redis = redis;
        this.values = redis.value(String.class);
        this.keys = redis.key();
        this.json = json;
        this.keyPrefix = config.redis().keyPrefix();
        this.ttl = config.campaign().callListCacheTtl();
        this.ttlSeconds = Long.toString(ttl.toSeconds());
        this.backoff = new RedisBackoff(config.campaign().redisReadTimeout(), config.campaign().redisBackoff());
        this.missed = missed;
    }

    /**
     * The store's cached list, if any: a miss (with no generation, so nothing is cached after it) while this replica
     * knows of invalidations Redis missed, when Redis does not answer within the read timeout, and within the back-off.
     */
    public Uni<Lookup> get(String storeId) {
        if (missesPending()) {
            return Uni.createFrom().item(new Lookup(Optional.empty(), null));
        }
        String listKey = listKey(storeId);
        String generationKey = generationKey(storeId);
        return backoff.read(() -> values.mget(listKey, generationKey))
                .map(found -> new Lookup(read(storeId, found.get(listKey)), generation(found, generationKey)))
                .onFailure().recoverWithItem(failure -> {
                    // another replica may have missed an invalidation meanwhile: read PostgreSQL until a repair
                    failed.incrementAndGet();
                    recorded.incrementAndGet();
                    if (failure instanceof RedisBackoff.SkippedException) {
                        LOG.debugf("call list of store %s read from PostgreSQL: %s", storeId, failure.getMessage());
                    } else {
                        LOG.warnf("call list of store %s not read from Redis, read from PostgreSQL: %s", storeId, failure);
                    }
                    return new Lookup(Optional.empty(), null);
                });
    }

    /** Caches the list loaded after {@code lookup}, unless the store changed meanwhile. */
    public Uni<Void> put(String storeId, Lookup lookup, Entry entry) {
        if (lookup.generation() == null) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().item(() -> write(entry))
                .flatMap(text -> backoff.call(() -> redis.execute("EVAL", SET_IF_SAME_GENERATION, "2",
                        generationKey(storeId), listKey(storeId), lookup.generation(), ttlSeconds, text)))
                .replaceWithVoid()
                .onFailure().recoverWithItem(failure -> {
                    LOG.warnf("call list of store %s not cached: %s", storeId, failure.getMessage());
                    return null;
                });
    }

    /**
     * Call after the change committed: bumps each store's generation, then drops its list. When Redis misses that, the
     * stores are recorded for the repair instead; never fails (a change committed stands, the TTL is the last resort).
     */
    public Uni<Void> invalidate(Collection<String> storeIds) {
        if (storeIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return backoff.call(() -> drop(storeIds)).onFailure().recoverWithUni(failure -> {
            failed.incrementAndGet();
            return missed.record(storeIds)
                    .invoke(() -> LOG.warnf("call lists of stores %s not invalidated in Redis, recorded for repair: %s",
                            storeIds, failure.getMessage()))
                    .onFailure().recoverWithItem(notRecorded -> {
                        unrecordedUntilNanos = System.nanoTime() + ttl.toNanos();
                        LOG.errorf("call lists of stores %s not invalidated in Redis (%s) nor recorded for repair (%s):"
                                + " this replica reads call lists from PostgreSQL for their TTL, another may serve them"
                                + " stale till then", storeIds, failure.getMessage(), notRecorded.getMessage());
                        return null;
                    })
                    .eventually(() -> {
                        recorded.incrementAndGet();
                    });
        });
    }

    /**
     * Whether this replica knows of invalidations Redis may have missed and no repair has put right yet: call lists are
     * then read from PostgreSQL, not cached.
     */
    public boolean missesPending() {
        return repairing || failed.get() > repairedThrough || System.nanoTime() - unrecordedUntilNanos < 0;
    }

    /**
     * Once Redis answers, drops the lists of the stores whose invalidation it missed (recorded by any replica), then
     * forgets the misses. Fails while Redis or PostgreSQL cannot be reached (the next repair tries again). Blocking.
     */
    public void repairMissed() {
        // failures (and misses) recorded by now: once Redis answers and the repair finds no miss left, all are repaired
        long recordedBefore = recorded.get();
        backoff.call(() -> redis.execute("PING")).await().indefinitely();
        int repaired = missed.repairAll(REPAIR_PAGE, () -> repairing = true,
                storeIds -> backoff.call(() -> drop(storeIds)));
        repairing = false;
        repairedThrough = Math.max(repairedThrough, recordedBefore);
        if (repaired > 0) {
            LOG.infof("call lists of %d stores whose invalidation Redis missed dropped from it", repaired);
        }
    }

    private Uni<Void> drop(Collection<String> storeIds) {
        return Multi.createFrom().iterable(storeIds)
                .onItem().transformToUniAndConcatenate(storeId -> values.incr(generationKey(storeId))
                        .chain(() -> keys.del(listKey(storeId))))
                .collect().last().replaceWithVoid();
    }

    String listKey(String storeId) {
        return keyPrefix + "call-list:" + storeId;
    }

    private String generationKey(String storeId) {
        return keyPrefix + "call-list-generation:" + storeId;
    }

    private static String generation(Map<String, String> found, String generationKey) {
        String generation = found.get(generationKey);
        return generation == null ? NO_GENERATION : generation;
    }

    /** An unreadable entry (say, written by an older release) is a miss that the next put overwrites. */
    private Optional<Entry> read(String storeId, String cached) {
        if (cached == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readValue(cached, ENTRY));
        } catch (JsonProcessingException e) {
            LOG.warnf("cached call list of store %s unreadable, reloading: %s", storeId, e.getOriginalMessage());
            return Optional.empty();
        }
    }

    private String write(Entry entry) {
        try {
            return json.writeValueAsString(entry);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("call list not serializable", e);
        }
    }
}
