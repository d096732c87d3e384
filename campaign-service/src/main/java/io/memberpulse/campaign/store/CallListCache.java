package io.memberpulse.campaign.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.memberpulse.campaign.CampaignConfig;
import io.memberpulse.campaign.domain.CallTask;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.keys.ReactiveKeyCommands;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.LocalDate;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Each store's ranked OPEN tasks in Redis, with the calls it made that day, so that repeated call-list reads skip
 * PostgreSQL.
 * PostgreSQL stays the truth: Redis trouble means a miss (or a stale list until the TTL), never an error.
 *
 * <p>A reader that loaded a list from PostgreSQL just before a change committed must not cache it
 * after the invalidation. So each store has a generation that every invalidation bumps, and a list
 * is only cached if the generation is still the one seen before loading it.
 */
@ApplicationScoped
public class CallListCache {
    private static final Logger LOG = Logger.getLogger(CallListCache.class);
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

    public CallListCache(ReactiveRedisDataSource redis, ObjectMapper json, CampaignConfig config) {
        this.redis = redis;
        this.values = redis.value(String.class);
        this.keys = redis.key();
        this.json = json;
        this.keyPrefix = config.redis().keyPrefix();
        this.ttlSeconds = Long.toString(config.campaign().callListCacheTtl().toSeconds());
    }

    public Uni<Lookup> get(String storeId) {
        String listKey = listKey(storeId);
        String generationKey = generationKey(storeId);
        return values.mget(listKey, generationKey)
                .map(found -> new Lookup(read(storeId, found.get(listKey)), generation(found, generationKey)))
                .onFailure().recoverWithItem(failure -> {
                    LOG.warnf("call list of store %s not read from Redis: %s", storeId, failure.getMessage());
                    return new Lookup(Optional.empty(), null);
                });
    }

    /** Caches the list loaded after {@code lookup}, unless the store changed meanwhile. */
    public Uni<Void> put(String storeId, Lookup lookup, Entry entry) {
        if (lookup.generation() == null) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().item(() -> write(entry))
                .flatMap(text -> redis.execute("EVAL", SET_IF_SAME_GENERATION, "2", generationKey(storeId),
                        listKey(storeId), lookup.generation(), ttlSeconds, text))
                .replaceWithVoid()
                .onFailure().recoverWithItem(failure -> {
                    LOG.warnf("call list of store %s not cached: %s", storeId, failure.getMessage());
                    return null;
                });
    }

    /** Call after the change committed: bumps each store's generation, then drops its list. */
    public Uni<Void> invalidate(Collection<String> storeIds) {
        return Multi.createFrom().iterable(storeIds)
                .onItem().transformToUniAndConcatenate(storeId -> values.incr(generationKey(storeId))
                        .chain(() -> keys.del(listKey(storeId))))
                .collect().last().replaceWithVoid()
                .onFailure().recoverWithItem(failure -> {
                    LOG.warnf("call lists of stores %s not invalidated, stale until their TTL: %s", storeIds,
                            failure.getMessage());
                    return null;
                });
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
