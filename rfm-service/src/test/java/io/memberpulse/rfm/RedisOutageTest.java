package io.memberpulse.rfm;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.memberpulse.devstack.testing.RedisProxy;
import io.memberpulse.devstack.testing.RedisProxyProfile;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.kafka.MemberEventDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.proto.kafka.Topics;
import io.memberpulse.rfm.store.RfmCache;
import io.memberpulse.rfm.store.MemberRowRepository;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Redis going away and coming back, through a proxy the test switches (RedisProxyProfile): a row stored while Redis
 * could not be reached is not served stale when Redis returns with its old data, and a Redis that hangs costs a read
 * one short wait, then none while it is skipped.
 */
@QuarkusTest
@TestProfile(RedisOutageTest.Profile.class)
class RedisOutageTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** No scheduled repair or re-ageing (the test runs the repair itself, when it means to); a read timeout of 500 ms. */
    public static class Profile extends RedisProxyProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
            overrides.put("memberpulse.rfm.refresh-every", "1h");
            overrides.put("memberpulse.rfm.redis-read-timeout", "500ms");
            return overrides;
        }
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    RfmCache cache;

    @Inject
    MemberRowRepository memberRows;

    @Inject
    RfmCacheWrites cacheWrites;

    @Inject
    Pool pool;

    RedisProxy redis = RedisProxyProfile.proxy();
    String member = "outage-" + UUID.randomUUID();

    /** Redis answering again, past any back-off a test before left, and nothing missed left to repair. */
    @BeforeEach
    void redisUp() {
        redis.forward();
        await().atMost(WAIT).ignoreExceptions().until(() -> {
            cacheWrites.repairMissed();
            return !cacheWrites.missesPending() && cache.get("none").await().atMost(Duration.ofSeconds(5)).isEmpty();
        });
    }

    @AfterEach
    void redisBack() {
        redis.forward();
    }

    @Test
    void aRowStoredWhileRedisWasDownIsNotServedStaleWhenRedisComesBackWithItsOldData() {
        order(ReageingAndReplicasTest.DAY0, 75);
        await().atMost(WAIT).ignoreExceptions().until(() -> cache.get(member).await().indefinitely().isPresent());
        assertThat(servedOrders()).isEqualTo(1);

        redis.refuse();
        // Stored (and its changes published) while Redis is down: the write to Redis fails and is recorded
        order(ReageingAndReplicasTest.DAY0.plus(Duration.ofDays(1)), 40);
        await().atMost(WAIT).until(() -> storedOrders() == 2);

        // Redis is back with what it held, the old row; past the back-off this replica would read it again, but
        // knows that Redis missed writes
        redis.forward();
        await().pollDelay(Duration.ofSeconds(6)).until(() -> true); // redis-backoff, 5 s
        assertThat(servedOrders()).isEqualTo(2);

        // The next repair (of any replica) caches the row again from PostgreSQL
        cacheWrites.repairMissed();
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(cache.get(member).await().indefinitely())
                .map(cached -> cached.rfm().ordersTotal()).hasValue(2L));
        assertThat(cacheWrites.missesPending()).isFalse();
        assertThat(pool.query("SELECT count(*) FROM redis_missed_rfm").execute().await().indefinitely()
                .iterator().next().getLong(0)).as("no miss left to repair").isZero();
        assertThat(servedOrders()).isEqualTo(2);
    }

    @Test
    void aHangingRedisCostsAReadOneShortWaitAndIsThenSkipped() {
        order(ReageingAndReplicasTest.DAY0, 75);
        await().atMost(WAIT).ignoreExceptions().until(() -> cache.get(member).await().indefinitely().isPresent());

        redis.hang();
        // The client's own timeout is 10 s: the read gives up on Redis after memberpulse.rfm.redis-read-timeout
        long started = System.nanoTime();
        assertThat(servedOrders()).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));

        // Within the back-off Redis is not asked at all
        long sent = redis.bytesReceived();
        started = System.nanoTime();
        assertThat(servedOrders()).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
        assertThat(redis.bytesReceived()).as("bytes sent to Redis while it is skipped").isEqualTo(sent);
    }

    private void order(java.time.Instant at, double paid) {
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
            kafka.produce(String.class, MemberEvent.class).fromRecords(
                    new ProducerRecord<>(Topics.MEMBER_EVENTS, member, ReageingAndReplicasTest.order(member, at, paid)))
                    .awaitCompletion();
        }
    }

    private long storedOrders() {
        MemberRowRepository.StoredRow row = memberRows.rowsOf(List.of(member)).await().indefinitely().get(member);
        return row == null ? 0 : row.snapshot().rfm().ordersTotal();
    }

    private long servedOrders() {
        return given().get("/members/" + member + "/rfm").then().statusCode(200).extract().jsonPath()
                .getLong("rfm.ordersTotal");
    }
}
