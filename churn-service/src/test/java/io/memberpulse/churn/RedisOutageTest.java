package io.memberpulse.churn;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.memberpulse.churn.domain.ChurnScore;
import io.memberpulse.churn.store.FactRepository;
import io.memberpulse.churn.store.IdentityChangeRepository;
import io.memberpulse.churn.store.ModelInputRepository;
import io.memberpulse.churn.store.ScoreCache;
import io.memberpulse.churn.store.ScoreRepository;
import io.memberpulse.churn.store.StreamClockRepository;
import io.memberpulse.churn.stream.out.ChurnScorePublisher;
import io.memberpulse.devstack.testing.RedisProxy;
import io.memberpulse.devstack.testing.RedisProxyProfile;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Redis going away and coming back, through a proxy the test switches (RedisProxyProfile): a score stored while Redis
 * could not be reached is not served stale when Redis returns with its old data, a Redis that hangs costs a read
 * one short wait, then none while it is skipped, and the refill after Redis lost its data is not restarted by another
 * replica's tick.
 */
@QuarkusTest
@TestProfile(RedisOutageTest.Profile.class)
class RedisOutageTest {
    /** No scheduled tick (the test runs the tick's repair itself, when it means to); the default read timeout. */
    public static class Profile extends RedisProxyProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
            overrides.put("memberpulse.churn.refresh-every", "1h");
            overrides.put("memberpulse.churn.redis-read-timeout", "200ms");
            return overrides;
        }
    }

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    ScoreMembersService scoring;

    @Inject
    ScoreRepository scores;

    @Inject
    StreamClockRepository streamClock;

    @Inject
    ScoreCache cache;

    @Inject
    Pool pool;

    @Inject
    RedisDataSource redisData;

    @Inject
    ReactiveRedisDataSource reactiveRedis;

    @Inject
    ObjectMapper mapper;

    @Inject
    ChurnConfig config;

    @Inject
    FactRepository facts;

    @Inject
    ModelInputRepository inputs;

    @Inject
    IdentityChangeRepository identities;

    @Inject
    ScoreCacheWrites cacheWrites;

    @Inject
    ChurnScorePublisher publisher;

    @Inject
    ModelRegistry models;

    @Inject
    MeterRegistry meters;

    @Inject
    ScoringMeters scoringMeters;

    RedisProxy redis = RedisProxyProfile.proxy();
    String run = ScoringFixture.runId();
    String member = "outage-" + run;
    String store = "outage-store-" + run;

    /** Redis answering again, past any back-off a test before left, and the rankings refilled and marked complete. */
    @BeforeEach
    void redisUp() {
        redis.forward();
        await().atMost(WAIT).ignoreExceptions().until(() -> {
            scoring.refillCacheIfLost();
            return cache.isComplete().await().atMost(Duration.ofSeconds(5));
        });
    }

    @AfterEach
    void redisBack() {
        redis.forward();
    }

    @Test
    void aScoreStoredWhileRedisWasDownIsNotServedStaleWhenRedisComesBackWithItsOldData() {
        Instant now = ScoringFixture.now(streamClock);
        scoring.record(List.of(ScoringFixture.order(member, member + "-0", now.minus(Duration.ofDays(60)), store)));
        double before = servedScore();
        assertThat(cache.get(member).await().indefinitely()).as("cached").isPresent();

        redis.refuse();
        // Scored (stored, published) while Redis is down: the write to Redis fails and is recorded, not thrown
        scoring.record(List.of(ScoringFixture.order(member, member + "-1", now.minus(Duration.ofDays(1)), store)));
        double stored = scores.score(member).await().indefinitely().orElseThrow().probability();
        assertThat(stored).as("a second order moves the score").isNotCloseTo(before, within(1e-6));

        // Redis is back with what it held: the old score, and the rankings still marked complete; past the back-off
        // this replica would read it again, but knows that Redis missed writes
        redis.forward();
        await().pollDelay(Duration.ofSeconds(6)).until(() -> true); // redis-backoff, 5 s
        assertThat(servedScore()).isCloseTo(stored, within(1e-6));
        assertThat(rankedScore()).isCloseTo(stored, within(1e-6));

        // The next tick (of any replica) takes the missed score out of Redis and refills it from PostgreSQL
        scoring.refillCacheIfLost();
        assertThat(cache.get(member).await().indefinitely()).map(ChurnScore::probability).hasValueSatisfying(
                cached -> assertThat(cached).isCloseTo(stored, within(1e-6)));
        assertThat(cache.isComplete().await().indefinitely()).as("the rankings marked complete again").isTrue();
        assertThat(pool.query("SELECT count(*) FROM redis_missed_score").execute().await().indefinitely()
                .iterator().next().getLong(0)).as("no miss left to repair").isZero();
        assertThat(servedScore()).isCloseTo(stored, within(1e-6));
        assertThat(rankedScore()).isCloseTo(stored, within(1e-6));
    }

    @Test
    void anErasureWhileRedisIsDownIsRecordedAsMissedAndRepairedWhenRedisComesBackWithItsOldData() {
        Instant now = ScoringFixture.now(streamClock);
        scoring.record(List.of(ScoringFixture.order(member, member + "-0", now.minus(Duration.ofDays(60)), store)));
        rankedScore();
        assertThat(cache.get(member).await().indefinitely()).as("cached").isPresent();

        redis.refuse();
        // The erasure is applied all the same: its rows go, and its Redis removal is recorded as missed, not thrown
        scoring.rekey(List.of(new io.memberpulse.proto.merges.IdentityChange.Erasure(member, List.of(), Instant.now())));
        assertThat(scores.score(member).await().indefinitely()).isEmpty();
        assertThat(pool.query("SELECT count(*) FROM redis_missed_score WHERE member_id = '" + member + "'").execute()
                .await().indefinitely().iterator().next().getLong(0)).as("recorded for repair").isEqualTo(1);

        // Redis is back with the erased member's score and ranks: this replica knows of the miss and reads PostgreSQL
        redis.forward();
        await().pollDelay(Duration.ofSeconds(6)).until(() -> true); // redis-backoff, 5 s
        given().get("/members/" + member + "/score").then().statusCode(404);
        given().get("/stores/" + store + "/top-risk?k=5").then().statusCode(200).body("size()", org.hamcrest.Matchers.equalTo(0));

        // The next tick takes it out of Redis, and the refill does not put it back
        scoring.refillCacheIfLost();
        assertThat(cache.get(member).await().indefinitely()).isEmpty();
        assertThat(cache.isComplete().await().indefinitely()).as("the rankings marked complete again").isTrue();
        given().get("/stores/" + store + "/top-risk?k=5").then().statusCode(200).body("size()", org.hamcrest.Matchers.equalTo(0));
        assertThat(redisData.sortedSet(String.class).zscore(config.redis().keyPrefix() + "top:" + store, member)).isEmpty();
        assertThat(redisData.sortedSet(String.class).zscore(config.redis().keyPrefix() + "top:*", member)).isEmpty();
    }

    @Test
    void aHangingRedisCostsAReadOneShortWaitAndIsThenSkipped() {
        Instant now = ScoringFixture.now(streamClock);
        scoring.record(List.of(ScoringFixture.order(member, member + "-0", now.minus(Duration.ofDays(30)), store)));
        double stored = scores.score(member).await().indefinitely().orElseThrow().probability();

        redis.hang();
        // The client's own timeout is 10 s: the read gives up on Redis after memberpulse.churn.redis-read-timeout
        long started = System.nanoTime();
        assertThat(servedScore()).isCloseTo(stored, within(1e-6));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));

        // Within the back-off Redis is not asked at all
        long sent = redis.bytesReceived();
        started = System.nanoTime();
        assertThat(servedScore()).isCloseTo(stored, within(1e-6));
        assertThat(rankedScore()).isCloseTo(stored, within(1e-6));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
        assertThat(redis.bytesReceived()).as("bytes sent to Redis while it is skipped").isEqualTo(sent);
    }

    /**
     * Every replica's tick refills Redis when it lost its data: a refill under way on one replica is left to finish by
     * the others (a restarted refill is restarted again by the next replica's tick, and the rankings stay incomplete).
     */
    @Test
    void anotherReplicasTickDuringARefillLeavesItToFinishAndMarkTheRankingsComplete() throws Exception {
        Instant now = ScoringFixture.now(streamClock);
        scoring.record(List.of(ScoringFixture.order(member, member + "-0", now.minus(Duration.ofDays(30)), store)));
        CountDownLatch midway = new CountDownLatch(1);
        CountDownLatch resume = new CountDownLatch(1);
        Thread[] refilling = new Thread[1];
        QuarkusMock.installMockForType(new ScoreCache(reactiveRedis, mapper, config) {
            @Override
            public Uni<List<ChurnScore>> putMissing(List<ChurnScore> scores) {
                if (Thread.currentThread() == refilling[0] && midway.getCount() > 0) {
                    midway.countDown();
                    try {
                        resume.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.putMissing(scores);
            }
        }, ScoreCache.class);
        cache.distrust().await().indefinitely(); // Redis lost its data: the next tick refills
        String refillKey = config.redis().keyPrefix() + "rankings-refill";
        ExecutorService replica = Executors.newSingleThreadExecutor();
        try {
            Future<?> refill = replica.submit(() -> {
                refilling[0] = Thread.currentThread();
                scoring.refillCacheIfLost();
            });
            assertThat(midway.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the refill cached its first page").isTrue();
            String token = redisData.value(String.class).get(refillKey);
            assertThat(token).as("the refill under way holds a token").isNotNull();

            new ScoreMembersService(facts, inputs, scores, streamClock, identities, cache, cacheWrites, publisher, config,
                    models, scoringMeters)
                    .refillCacheIfLost();
            assertThat(redisData.value(String.class).get(refillKey)).as("another replica's tick left the refill its token")
                    .isEqualTo(token);
            assertThat(cache.isComplete().await().indefinitely()).isFalse();

            resume.countDown();
            refill.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(cache.isComplete().await().indefinitely()).as("the refill marked the rankings complete").isTrue();
            assertThat(redisData.key(String.class).exists(refillKey)).as("and gave its token back").isFalse();
        } finally {
            resume.countDown();
            replica.shutdownNow();
        }
    }

    private double servedScore() {
        return given().get("/members/" + member + "/score").then().statusCode(200).extract().jsonPath()
                .getDouble("probability");
    }

    /** The member's probability in its store's ranking (the member alone there). */
    private double rankedScore() {
        JsonPath ranking = given().get("/stores/" + store + "/top-risk?k=5").then().statusCode(200).extract().jsonPath();
        assertThat(ranking.getList("memberId")).containsExactly(member);
        return ranking.getDouble("[0].probability");
    }
}
