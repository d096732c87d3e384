package io.memberpulse.campaign;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.memberpulse.campaign.domain.CallTask;
import io.memberpulse.campaign.store.CallListCache;
import io.memberpulse.campaign.testdata.Campaigns;
import io.memberpulse.campaign.testdata.ChurnEvents;
import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.devstack.testing.RedisProxy;
import io.memberpulse.devstack.testing.RedisProxyProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Redis going away and coming back, through a proxy the test switches (RedisProxyProfile): an outcome recorded while
 * Redis could not be reached does not leave its task on the call list when Redis returns with the list it held, and a
 * Redis that hangs costs a call-list read one short wait, then none while it is skipped.
 */
@QuarkusTest
@TestProfile(RedisOutageTest.Profile.class)
class RedisOutageTest extends WithKafkaCompanion {
    /** This profile starts its own application and broker, whose consumers may take a while to join. */
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final Duration READ = Duration.ofSeconds(5);

    /** No scheduled repair (the test runs it itself, when it means to); a read timeout of 500 ms. */
    public static class Profile extends RedisProxyProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
            overrides.put("memberpulse.campaign.redis-read-timeout", "500ms");
            overrides.put("memberpulse.campaign.redis-repair-every", "1h");
            return overrides;
        }
    }

    @Inject
    CallListCache cache;

    @Inject
    Pool pool;

    RedisProxy redis = RedisProxyProfile.proxy();

    /** Redis answering again, past any back-off a test before left, and nothing missed left to repair. */
    @BeforeEach
    void redisUp() {
        redis.forward();
        await().atMost(WAIT).ignoreExceptions().until(() -> {
            cache.repairMissed();
            return !cache.missesPending() && cache.get("none").await().atMost(READ).generation() != null;
        });
    }

    @AfterEach
    void redisBack() {
        redis.forward();
    }

    @Test
    void anOutcomeRecordedWhileRedisWasDownDoesNotLeaveItsTaskOnTheListRedisComesBackWith() {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        JsonPath list = Campaigns.storeWithFirstCall(kafka, store, run, WAIT);
        String taskId = list.getString("tasks[0].taskId");
        long version = list.getLong("tasks[0].version");
        // cached (a score arriving last may have dropped the list the fixture read: read it again until it is)
        await().atMost(WAIT).ignoreExceptions().until(() -> {
            // a read that outran the short Redis timeout on a busy machine leaves this replica on PostgreSQL until its
            // next repair (redis-repair-every is 1 h here): repair, as the schedule would
            cache.repairMissed();
            given().get("/stores/{s}/call-list", store).then().statusCode(200);
            return cache.get(store).await().atMost(READ).entry()
                    .filter(entry -> entry.tasks().stream().map(CallTask::taskId).anyMatch(taskId::equals)).isPresent();
        });

        redis.refuse();
        // Recorded while Redis is down: the list's invalidation fails, and is recorded for repair
        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + AuthTestResource.staff(store))
                .body("""
                        {"reached": true, "result": "will_return", "note": "", "followUpDate": "%s", "version": %d}"""
                        .formatted(LocalDate.now(ZoneOffset.UTC).plusDays(7), version))
                .post("/tasks/{id}/outcome", taskId)
                .then().statusCode(200).body("status", equalTo("DONE"));

        // Redis is back with what it held, the list showing the task; past the back-off this replica would read it
        // again, but knows that Redis missed an invalidation
        redis.forward();
        await().pollDelay(Duration.ofSeconds(6)).until(() -> true); // redis-backoff, 5 s
        given().get("/stores/{s}/call-list", store).then().statusCode(200).body("tasks.taskId", not(hasItem(taskId)));

        // The next repair (of any replica) drops the list Redis kept, so no replica reads it
        cache.repairMissed();
        assertThat(cache.get(store).await().atMost(READ).entry()).as("the list Redis kept").isEmpty();
        assertThat(cache.missesPending()).isFalse();
        assertThat(pool.query("SELECT count(*) FROM redis_missed_call_list").execute().await().indefinitely()
                .iterator().next().getLong(0)).as("no miss left to repair").isZero();
        given().get("/stores/{s}/call-list", store).then().statusCode(200).body("tasks.taskId", not(hasItem(taskId)));
        await().atMost(WAIT).until(() -> cache.get(store).await().atMost(READ).entry().isPresent());
        assertThat(cache.get(store).await().atMost(READ).entry()).hasValueSatisfying(entry ->
                assertThat(entry.tasks()).extracting(CallTask::taskId).doesNotContain(taskId));
    }

    @Test
    void aHangingRedisCostsACallListReadOneShortWaitAndIsThenSkipped() {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        String taskId = Campaigns.storeWithFirstCall(kafka, store, run, WAIT).getString("tasks[0].taskId");

        redis.hang();
        // The client's own timeout is 10 s: the read gives up on Redis after memberpulse.campaign.redis-read-timeout
        long started = System.nanoTime();
        given().get("/stores/{s}/call-list", store).then().statusCode(200).body("tasks[0].taskId", equalTo(taskId));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));

        // Within the back-off Redis is not asked at all
        long sent = redis.bytesReceived();
        started = System.nanoTime();
        given().get("/stores/{s}/call-list", store).then().statusCode(200).body("tasks[0].taskId", equalTo(taskId));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
        assertThat(redis.bytesReceived()).as("bytes sent to Redis while it is skipped").isEqualTo(sent);
    }
}
