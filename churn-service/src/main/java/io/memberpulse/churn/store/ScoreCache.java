package io.memberpulse.churn.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.memberpulse.churn.ChurnConfig;
import io.memberpulse.churn.domain.ChurnScore;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.keys.ReactiveKeyCommands;
import io.quarkus.redis.datasource.sortedset.ReactiveSortedSetCommands;
import io.quarkus.redis.datasource.sortedset.ZRangeArgs;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Hot reads: each member's score (a JSON value) and, per home store and overall, a sorted set of
 * members by probability, so GetScore and TopRisk never touch PostgreSQL.
 */
@ApplicationScoped
public class ScoreCache {
    private static final String ALL_STORES = "*";

    private final ReactiveValueCommands<String, String> values;
    private final ReactiveSortedSetCommands<String, String> rankings;
    private final ReactiveKeyCommands<String> keys;
    private final ObjectMapper mapper;
    /** Lenient: an entry written by a newer version (a field more, in a rolling deploy) is still read. */
    private final ObjectReader reader;
    private final String prefix;

    public ScoreCache(ReactiveRedisDataSource redis, ObjectMapper mapper, ChurnConfig config) {
        this.values = redis.value(String.class);
        this.rankings = redis.sortedSet(String.class);
        this.keys = redis.key(String.class);
        this.mapper = mapper;
        this.reader = mapper.readerFor(ChurnScore.class).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        this.prefix = config.redis().keyPrefix();
    }

    /**
     * Writes new scores in a handful of commands (one per ranking touched), so a re-scoring of
     * thousands of members never floods the connection pool; a member whose home store changed
     * leaves the old store's ranking.
     */
    public Uni<Void> putAll(List<ChurnScore> scores, Map<String, ChurnScore> previous) {
        if (scores.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Map<String, String> entries = new HashMap<>();
        Map<String, Map<String, Double>> rankingsByStore = new HashMap<>();
        Map<String, List<String>> leavers = new HashMap<>();
        for (ChurnScore score : scores) {
            entries.put(scoreKey(score.memberId()), write(score));
            ChurnScore before = previous.get(score.memberId());
            if (before != null && before.homeStoreId() != null && !Objects.equals(before.homeStoreId(), score.homeStoreId())) {
                leavers.computeIfAbsent(before.homeStoreId(), store -> new ArrayList<>()).add(score.memberId());
            }
            rankingsByStore.computeIfAbsent(ALL_STORES, store -> new HashMap<>()).put(score.memberId(), score.probability());
            if (score.homeStoreId() != null) {
                rankingsByStore.computeIfAbsent(score.homeStoreId(), store -> new HashMap<>())
                        .put(score.memberId(), score.probability());
            }
        }
        List<Uni<Void>> writes = new ArrayList<>();
        leavers.forEach((store, members) -> writes.add(
                rankings.zrem(rankingKey(store), members.toArray(String[]::new)).replaceWithVoid()));
        rankingsByStore.forEach((store, members) -> writes.add(
                rankings.zadd(rankingKey(store), members).replaceWithVoid()));
        writes.add(values.mset(entries));
        return Uni.join().all(writes).usingConcurrencyOf(8).andFailFast().replaceWithVoid();
    }

    /**
     * Forgets members who are no longer scored (absorbed by a merge, left without purchases by a split): their
     * scores and their places in the overall ranking and in their home store's, as cached or as given.
     */
    public Uni<Void> removeAll(Collection<String> memberIds, Collection<ChurnScore> removed) {
        if (memberIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String[] scoreKeys = memberIds.stream().map(this::scoreKey).toArray(String[]::new);
        String[] members = memberIds.toArray(String[]::new);
        return values.mget(scoreKeys).chain(cached -> {
            Set<String> stores = new TreeSet<>();
            stores.add(ALL_STORES);
            removed.forEach(score -> addStore(stores, score));
            cached.values().stream().filter(Objects::nonNull).map(this::read).forEach(score -> addStore(stores, score));
            List<Uni<Void>> writes = new ArrayList<>();
            stores.forEach(store -> writes.add(rankings.zrem(rankingKey(store), members).replaceWithVoid()));
            writes.add(keys.del(scoreKeys).replaceWithVoid());
            return Uni.join().all(writes).usingConcurrencyOf(8).andFailFast().replaceWithVoid();
        });
    }

    private static void addStore(Set<String> stores, ChurnScore score) {
        if (score.homeStoreId() != null) {
            stores.add(score.homeStoreId());
        }
    }

    /**
     * Whether every stored score is cached: set once a refill from PostgreSQL finished, gone with everything else
     * when Redis lost its data (flushed, restarted without persistence). Rankings are only complete with it.
     */
    public Uni<Boolean> isComplete() {
        return keys.exists(completeKey());
    }

    public Uni<Void> markComplete() {
        return values.set(completeKey(), "1");
    }

    /** Of these members, those whose score is cached. */
    public Uni<Set<String>> cachedOf(List<String> memberIds) {
        if (memberIds.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return values.mget(memberIds.stream().map(this::scoreKey).toArray(String[]::new)).map(found -> {
            Set<String> cached = new java.util.HashSet<>();
            memberIds.forEach(id -> {
                if (found.get(scoreKey(id)) != null) {
                    cached.add(id);
                }
            });
            return cached;
        });
    }

    public Uni<Optional<ChurnScore>> get(String memberId) {
        return values.get(scoreKey(memberId)).map(json -> Optional.ofNullable(json).map(this::read));
    }

    /** The k riskiest of a store (null: of all stores), riskiest first; empty when nothing is cached. */
    public Uni<List<ChurnScore>> top(String storeId, int k) {
        return rankings.zrange(rankingKey(storeId == null ? ALL_STORES : storeId), 0, k - 1, new ZRangeArgs().rev())
                .flatMap(memberIds -> memberIds.isEmpty()
                        ? Uni.createFrom().item(List.<ChurnScore>of())
                        : values.mget(memberIds.stream().map(this::scoreKey).toArray(String[]::new))
                                .map(found -> memberIds.stream().map(id -> found.get(scoreKey(id)))
                                        .filter(Objects::nonNull).map(this::read).toList()));
    }

    private String completeKey() {
        return prefix + "rankings-complete";
    }

    private String scoreKey(String memberId) {
        return prefix + "score:" + memberId;
    }

    private String rankingKey(String storeId) {
        return prefix + "top:" + storeId;
    }

    private String write(ChurnScore score) {
        try {
            return mapper.writeValueAsString(score);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("score not serialisable", e);
        }
    }

    private ChurnScore read(String json) {
        try {
            return reader.readValue(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cached score unreadable", e);
        }
    }
}
