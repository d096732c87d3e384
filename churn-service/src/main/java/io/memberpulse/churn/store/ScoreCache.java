package io.memberpulse.churn.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.memberpulse.churn.ChurnConfig;
import io.memberpulse.churn.domain.ChurnScore;
import io.memberpulse.proto.redis.RedisBackoff;
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
 * members by probability, so GetScore and TopRisk never touch PostgreSQL. Every call goes through one back-off
 * (proto.redis.RedisBackoff): after a failure Redis is skipped for memberpulse.churn.redis-backoff (by reads after a
 * read's, by reads and writes after a write's), and the hot reads give up after memberpulse.churn.redis-read-timeout,
 * so a Redis down or hanging costs reads no wait.
 */
@ApplicationScoped
public class ScoreCache {
    /**
     * Takes each member out of the store's ranking (KEYS[1]) whose cached score (KEYS[i]) names another home store,
     * in one step, so a score re-cached meanwhile under that store keeps its place. ARGV[1] the store, ARGV[i] the
     * members.
     */
    private static final String DROP_STRAYS = """
            local dropped = 0
            for i = 2, #KEYS do
              local cached = redis.call('GET', KEYS[i])
              if cached and cjson.decode(cached).homeStoreId ~= ARGV[1] then
                dropped = dropped + redis.call('ZREM', KEYS[1], ARGV[i])
              end
            end
            return dropped""";

    /**
     * Marks the rankings complete (KEYS[2]) only if the refill's token (KEYS[1]) still holds ARGV[1]: a flush during the
     * refill took the token with the scores cached before it (a repair takes it too), so that refill must not call the
     * cache whole.
     */
    private static final String MARK_COMPLETE_IF_UNFLUSHED = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              redis.call('SET', KEYS[2], '1')
              redis.call('DEL', KEYS[1])
              return 1
            end
            return 0""";

    /**
     * Extends the refill's turn (KEYS[1]) by ARGV[2] ms if it still holds its token ARGV[1]: 0 when Redis lost it, a
     * repair took it away, or the turn ran out and another replica's refill holds it now.
     */
    private static final String HOLD_IF_STILL = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('PEXPIRE', KEYS[1], ARGV[2])
            end
            return 0""";

    /** Ends the refill's turn (KEYS[1]) if it still holds its token ARGV[1]. */
    private static final String END_IF_STILL = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('DEL', KEYS[1])
            end
            return 0""";

    /**
     * How long a refill's turn lasts unless extended, as it is before each page: a replica that stops mid-refill
     * holds the others' refills off that long at most, and a refill whose page took longer has lost its turn.
     */
    static final java.time.Duration REFILL_TURN = java.time.Duration.ofMinutes(2);

    /**
     * Caches each score (KEYS[1 + i], ARGV[i] its JSON) whose member has none cached, with its place in the overall
     * ranking (KEYS[1]) and its home store's (KEYS[1 + n + i], the overall one again without a home store), ARGV[n + i]
     * its probability and ARGV[2n + i] the member: a score cached meanwhile is newer than one read before. The members
     * whose score it cached.
     */
    private static final String PUT_MISSING = """
            local n = (#KEYS - 1) / 2
            local put = {}
            for i = 1, n do
              if redis.call('SET', KEYS[1 + i], ARGV[i], 'NX') then
                redis.call('ZADD', KEYS[1], ARGV[n + i], ARGV[2 * n + i])
                redis.call('ZADD', KEYS[1 + n + i], ARGV[n + i], ARGV[2 * n + i])
                put[#put + 1] = ARGV[2 * n + i]
              end
            end
            return put""";

    /**
     * Takes each member (ARGV[n + i]) out of Redis whose cached score (KEYS[1 + i]) is still the JSON ARGV[i]: the
     * score, and its places in the overall ranking (KEYS[1]) and its home store's (KEYS[1 + n + i]). A score cached
     * since in its place stays.
     */
    private static final String REMOVE_IF_STILL = """
            local n = (#KEYS - 1) / 2
            local removed = 0
            for i = 1, n do
              if redis.call('GET', KEYS[1 + i]) == ARGV[i] then
                redis.call('DEL', KEYS[1 + i])
                redis.call('ZREM', KEYS[1], ARGV[n + i])
                redis.call('ZREM', KEYS[1 + n + i], ARGV[n + i])
                removed = removed + 1
              end
            end
            return removed""";

    private final ReactiveRedisDataSource redis;

    private final ReactiveValueCommands<String, String> values;
    private final ReactiveSortedSetCommands<String, String> rankings;
    private final ReactiveKeyCommands<String> keys;
    private final ObjectMapper mapper;
    /** Lenient: an entry written by a newer version (a field more, in a rolling deploy) is still read. */
    private final ObjectReader reader;
    private final String prefix;
    private final RedisBackoff backoff;

    public ScoreCache(ReactiveRedisDataSource redis, ObjectMapper mapper, ChurnConfig config) {
        this.redis = redis;
        this.values = redis.value(String.class);
        this.rankings = redis.sortedSet(String.class);
        this.keys = redis.key(String.class);
        this.mapper = mapper;
        this.reader = mapper.readerFor(ChurnScore.class).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        this.prefix = config.redis().keyPrefix();
        this.backoff = new RedisBackoff(config.churn().redisReadTimeout(), config.churn().redisBackoff());
    }

    /**
     * Writes new scores in a handful of commands (one per ranking touched), so a re-scoring of
     * thousands of members never floods the connection pool; a member whose home store changed
     * leaves the old store's ranking. The scores are written before the rankings: top() takes a member out of a
     * ranking only when its cached score names another store, which then is never a score on its way in.
     */
    public Uni<Void> putAll(List<ChurnScore> scores, Map<String, ChurnScore> previous) {
        if (scores.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Map<String, String> entries = new HashMap<>();
        Map<String, Map<String, Double>> rankingsByKey = new HashMap<>();
        Map<String, List<String>> leavers = new HashMap<>();
        for (ChurnScore score : scores) {
            entries.put(scoreKey(score.memberId()), write(score));
            ChurnScore before = previous.get(score.memberId());
            if (before != null && before.homeStoreId() != null && !Objects.equals(before.homeStoreId(), score.homeStoreId())) {
                leavers.computeIfAbsent(before.homeStoreId(), store -> new ArrayList<>()).add(score.memberId());
            }
            rankingsByKey.computeIfAbsent(overallRankingKey(), key -> new HashMap<>())
                    .put(score.memberId(), score.probability());
            if (score.homeStoreId() != null) {
                rankingsByKey.computeIfAbsent(rankingKey(score.homeStoreId()), key -> new HashMap<>())
                        .put(score.memberId(), score.probability());
            }
        }
        List<Uni<Void>> writes = new ArrayList<>();
        leavers.forEach((store, members) -> writes.add(
                rankings.zrem(rankingKey(store), members.toArray(String[]::new)).replaceWithVoid()));
        rankingsByKey.forEach((key, members) -> writes.add(rankings.zadd(key, members).replaceWithVoid()));
        return backoff.call(() -> values.mset(entries).chain(() -> Uni.join().all(writes).usingConcurrencyOf(8).andFailFast())
                .replaceWithVoid());
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
        return backoff.call(() -> values.mget(scoreKeys).chain(cached -> {
            Set<String> rankingKeys = new TreeSet<>();
            rankingKeys.add(overallRankingKey());
            removed.forEach(score -> addRankingKey(rankingKeys, score));
            cached.values().stream().filter(Objects::nonNull).map(this::read)
                    .forEach(score -> addRankingKey(rankingKeys, score));
            List<Uni<Void>> writes = new ArrayList<>();
            rankingKeys.forEach(key -> writes.add(rankings.zrem(key, members).replaceWithVoid()));
            // the scores after the rankings: a ranked member without a score reads as evicted (top() then gives up)
            return Uni.join().all(writes).usingConcurrencyOf(8).andFailFast()
                    .chain(() -> keys.del(scoreKeys)).replaceWithVoid();
        }));
    }

    /**
     * Caches the scores of members who have none cached (a refill from PostgreSQL): one cached meanwhile was written
     * by a scoring after these were read, and is left as it is. Answers the scores it cached.
     */
    public Uni<List<ChurnScore>> putMissing(List<ChurnScore> scores) {
        if (scores.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        List<String> args = new ArrayList<>(List.of(PUT_MISSING, String.valueOf(2 * scores.size() + 1)));
        args.addAll(scriptKeys(scores));
        scores.forEach(score -> args.add(write(score)));
        scores.forEach(score -> args.add(String.valueOf(score.probability())));
        scores.forEach(score -> args.add(score.memberId()));
        return backoff.call(() -> redis.execute("EVAL", args.toArray(String[]::new))).map(put -> {
            Set<String> ids = new java.util.HashSet<>();
            put.forEach(id -> ids.add(id.toString()));
            return scores.stream().filter(score -> ids.contains(score.memberId())).toList();
        });
    }

    /**
     * Takes these scores out of Redis where they are still cached as given (putMissing cached them from rows deleted
     * meanwhile); a member's score cached since in their place stays.
     */
    public Uni<Void> removeIfStillCached(List<ChurnScore> scores) {
        if (scores.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<String> args = new ArrayList<>(List.of(REMOVE_IF_STILL, String.valueOf(2 * scores.size() + 1)));
        args.addAll(scriptKeys(scores));
        scores.forEach(score -> args.add(write(score)));
        scores.forEach(score -> args.add(score.memberId()));
        return backoff.call(() -> redis.execute("EVAL", args.toArray(String[]::new))).replaceWithVoid();
    }

    /** The overall ranking, each score's key, then each one's home store ranking (the overall one without). */
    private List<String> scriptKeys(List<ChurnScore> scores) {
        List<String> keys = new ArrayList<>(2 * scores.size() + 1);
        keys.add(overallRankingKey());
        scores.forEach(score -> keys.add(scoreKey(score.memberId())));
        scores.forEach(score -> keys.add(score.homeStoreId() == null ? overallRankingKey() : rankingKey(score.homeStoreId())));
        return keys;
    }

    private void addRankingKey(Set<String> rankingKeys, ChurnScore score) {
        if (score.homeStoreId() != null) {
            rankingKeys.add(rankingKey(score.homeStoreId()));
        }
    }

    /**
     * Whether every stored score is cached: set once a refill from PostgreSQL finished, gone with everything else
     * when Redis lost its data (flushed, restarted without persistence). Rankings are only complete with it.
     */
    public Uni<Boolean> isComplete() {
        return backoff.call(() -> keys.exists(completeKey()));
    }

    /**
     * Takes the completeness mark away (Redis missed writes while unreachable: its rankings may be stale), so TopRisk
     * reads PostgreSQL until the next refill marks them complete again; and the token of a refill under way, which may
     * have passed the members whose scores are being taken out: it marks nothing complete, the next refill does.
     */
    public Uni<Void> distrust() {
        return backoff.call(() -> keys.del(completeKey(), refillKey())).replaceWithVoid();
    }

    /**
     * The start of a refill, when no refill holds the turn (every replica's tick tries; a refill begun again each time
     * would never finish): its token, which a flush of Redis takes away with everything the refill cached so far.
     * Empty while another refill holds it. The turn lasts REFILL_TURN unless held on (holdRefill).
     */
    public Uni<Optional<String>> beginRefill() {
        String token = java.util.UUID.randomUUID().toString();
        return backoff.call(() -> redis.execute("SET", refillKey(), token, "NX", "PX",
                String.valueOf(REFILL_TURN.toMillis())))
                .map(set -> set == null ? Optional.<String>empty() : Optional.of(token));
    }

    /**
     * Extends the refill's turn by REFILL_TURN; false when it no longer holds it (Redis lost its data, a repair took
     * it, or it ran out and another refill began): the refill then stops, the next tick's refill starts over.
     */
    public Uni<Boolean> holdRefill(String refillToken) {
        return backoff.call(() -> redis.execute("EVAL", HOLD_IF_STILL, "1", refillKey(), refillToken,
                String.valueOf(REFILL_TURN.toMillis()))).map(held -> held.toInteger() == 1);
    }

    /** Gives the turn up (a refill that failed), so that the next tick's refill need not wait for it to run out. */
    public Uni<Void> endRefill(String refillToken) {
        return backoff.call(() -> redis.execute("EVAL", END_IF_STILL, "1", refillKey(), refillToken)).replaceWithVoid();
    }

    /**
     * Marks the rankings complete after the refill of that token, and ends its turn, unless Redis lost its data or a
     * repair took the token meanwhile (the refill must run again), or its turn ran out and another refill holds it (its
     * own mark follows). Whether it marked them.
     */
    public Uni<Boolean> markComplete(String refillToken) {
        return backoff.call(() -> redis.execute("EVAL", MARK_COMPLETE_IF_UNFLUSHED, "2", refillKey(), completeKey(), refillToken))
                .map(marked -> marked.toInteger() == 1);
    }

    /** A hot read: fails after the read timeout, and at once within the back-off. */
    public Uni<Optional<ChurnScore>> get(String memberId) {
        return backoff.read(() -> values.get(scoreKey(memberId))).map(json -> Optional.ofNullable(json).map(this::read));
    }

    /**
     * A hot read: the k riskiest of a store (see {@link #top}) while the rankings are marked complete, empty while they
     * are not (read PostgreSQL). Fails after the read timeout, and at once within the back-off.
     */
    public Uni<Optional<List<ChurnScore>>> topIfComplete(String storeId, int k) {
        return backoff.read(() -> keys.exists(completeKey()).flatMap(complete -> complete ? top(storeId, k)
                : Uni.createFrom().item(Optional.<List<ChurnScore>>empty())));
    }

    /**
     * The k riskiest of a store (null: of all stores), riskiest first; an empty list when nothing is cached. Only members
     * whose score names the store as home, as PostgreSQL's answer: a store's ranking keeps a member who moved away
     * when the zrem that took them out failed (the retry reads the new store as the previous one). Such strays are
     * taken out of the ranking and it is read again, so the answer still holds k members when the store has them.
     * <p>
     * Empty (no answer: read PostgreSQL) when a ranked member's score is gone, as when Redis evicted it under memory
     * pressure: an answer without them would leave the riskiest out. The rankings are then no longer marked complete,
     * so reads go to PostgreSQL and the next refill (ScoreMembersService.refillCacheIfLost) puts the lost scores back.
     */
    private Uni<Optional<List<ChurnScore>>> top(String storeId, int k) {
        return ranked(storeId, k).flatMap(ranked -> ranked.strays().isEmpty() || ranked.scoreMissing() ? answer(ranked)
                : dropStrays(storeId, ranked.strays()).chain(() -> ranked(storeId, k)).flatMap(this::answer));
    }

    private Uni<Optional<List<ChurnScore>>> answer(Ranked ranked) {
        return ranked.scoreMissing() ? keys.del(completeKey()).replaceWith(Optional.empty())
                : Uni.createFrom().item(Optional.of(ranked.scores()));
    }

    /**
     * A ranking's first k read: the scores of its members at home there, the members whose score names another store,
     * and whether a ranked member's score is missing.
     */
    private record Ranked(List<ChurnScore> scores, List<String> strays, boolean scoreMissing) {
    }

    private Uni<Ranked> ranked(String storeId, int k) {
        return rankings.zrange(storeId == null ? overallRankingKey() : rankingKey(storeId), 0, k - 1, new ZRangeArgs().rev())
                .flatMap(memberIds -> memberIds.isEmpty()
                        ? Uni.createFrom().item(new Ranked(List.of(), List.of(), false))
                        : values.mget(memberIds.stream().map(this::scoreKey).toArray(String[]::new)).map(found -> {
                            List<ChurnScore> scores = new ArrayList<>();
                            List<String> strays = new ArrayList<>();
                            for (String memberId : memberIds) {
                                String cached = found.get(scoreKey(memberId));
                                if (cached == null) {
                                    return new Ranked(List.of(), List.of(), true);
                                }
                                ChurnScore score = read(cached);
                                if (storeId == null || storeId.equals(score.homeStoreId())) {
                                    scores.add(score);
                                } else {
                                    strays.add(memberId);
                                }
                            }
                            return new Ranked(scores, strays, false);
                        }));
    }

    private Uni<Void> dropStrays(String storeId, List<String> memberIds) {
        List<String> args = new ArrayList<>(List.of(DROP_STRAYS, String.valueOf(memberIds.size() + 1), rankingKey(storeId)));
        memberIds.forEach(id -> args.add(scoreKey(id)));
        args.add(storeId);
        args.addAll(memberIds);
        return redis.execute("EVAL", args.toArray(String[]::new)).replaceWithVoid();
    }

    private String completeKey() {
        return prefix + "rankings-complete";
    }

    private String refillKey() {
        return prefix + "rankings-refill";
    }

    private String scoreKey(String memberId) {
        return prefix + "score:" + memberId;
    }

    /** The ranking of all stores' members. */
    private String overallRankingKey() {
        return prefix + "top:*";
    }

    /**
     * top:<store>. A store id that begins with * or \ gets a \ in front: no store (not one named *) reads or writes
     * the overall ranking, and no two stores share one.
     */
    private String rankingKey(String storeId) {
        boolean escaped = storeId.startsWith("*") || storeId.startsWith("\\");
        return prefix + "top:" + (escaped ? "\\" + storeId : storeId);
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
