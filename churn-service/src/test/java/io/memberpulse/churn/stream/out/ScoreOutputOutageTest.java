package io.memberpulse.churn.stream.out;

import static io.memberpulse.churn.ScoringFixture.WAIT;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.memberpulse.churn.ScoringFixture;
import io.memberpulse.churn.store.StreamClockRepository;
import io.memberpulse.proto.identity.v1.MemberIdentityChange;
import io.memberpulse.proto.identity.v1.MemberMerged;
import io.memberpulse.proto.kafka.Topics;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * churn.scores cannot be written (its producer points at an address no broker listens on) while member.events is read
 * as usual, and a record may go unacknowledged for 1 min instead of 10: the batches are still acknowledged (the
 * input moves on, liveness stays up, the pod is not restarted) and their scores stay stored, unpublished, for the
 * republishing to send once the broker answers. A failed send failed the batch, retried for five minutes.
 */
@QuarkusTest
@TestProfile(ScoreOutputOutageTest.UnreachableOutput.class)
class ScoreOutputOutageTest {
    /**
     * A minute instead of 10: a send fails within about 40 s (delivery.timeout.ms 30 s, the connector re-sending a
     * send that found no metadata within max.block.ms 10 s until then); with the producer's defaults one send took
     * two minutes or more, and failed the batch, retried for five.
     */
    static final Duration MAX_AGE = Duration.ofSeconds(60);

    public static class UnreachableOutput implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mp.messaging.outgoing.churn-scores.bootstrap.servers", "127.0.0.1:1",
                    "mp.messaging.connector.smallrye-kafka.throttled.unprocessed-record-max-age.ms",
                    String.valueOf(MAX_AGE.toMillis()));
        }
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "mp.messaging.incoming.member-events.group.id")
    String group;

    @Inject
    StreamClockRepository streamClock;

    @Inject
    Pool pool;

    @Test
    void anUnwritableOutputTopicNeitherHoldsTheInputNorFailsLiveness() throws Exception {
        String run = ScoringFixture.runId();
        Instant now = ScoringFixture.now(streamClock);
        try (ScoringFixture kafka = new ScoringFixture(bootstrapServers)) {
            for (int i = 0; i < 2; i++) {
                String member = "m-" + run + "-" + i;
                kafka.produce(Topics.MEMBER_EVENTS, member,
                        ScoringFixture.order(member, member + "-0", now.minus(Duration.ofDays(20 - i)), "out-" + run));
            }
        }
        Map<TopicPartition, Long> ends = ends(Topics.MEMBER_EVENTS);

        long until = System.nanoTime() + MAX_AGE.plusSeconds(30).toNanos();
        while (System.nanoTime() < until) {
            given().get("/q/health/live").then().statusCode(200);
            Thread.sleep(1_000);
        }
        awaitCommitted(ends, WAIT);
        for (int i = 0; i < 2; i++) {
            assertThat(pool.preparedQuery("SELECT published_at IS NULL FROM churn_score WHERE member_id = $1")
                    .execute(Tuple.of("m-" + run + "-" + i)).await().indefinitely())
                    .as("stored, not published").singleElement().satisfies(row -> assertThat(row.getBoolean(0)).isTrue());
        }
        given().get("/q/health/live").then().statusCode(200);
    }

    /**
     * A merge applied while churn.scores cannot be written, when it has to withdraw a score: without an event-time clock
     * every member involved is forgotten (ScoreMembersService.rekey), the survivor's score withdrawn (in one replica
     * with a clock the scoring before has withdrawn or deleted every score already; another replica's score stored
     * meanwhile is the other case). The failed withdrawal failed the batch, retried for five minutes, past max-age:
     * the channel failed and liveness went down. Now the survivor's score stays stored, unpublished, for a tick to
     * send once the broker answers; the absorbed member's is deleted (never withdrawn: member.merges says it).
     */
    @Test
    void aMergeWhoseWithdrawalCannotBeSentNeitherHoldsMemberMergesNorFailsLiveness() throws Exception {
        String run = ScoringFixture.runId();
        Instant now = ScoringFixture.now(streamClock);
        String absorbed = "a-" + run;
        String survivor = "s-" + run;
        try (ScoringFixture kafka = new ScoringFixture(bootstrapServers)) {
            kafka.produce(Topics.MEMBER_EVENTS, absorbed,
                    ScoringFixture.order(absorbed, absorbed + "-0", now.minus(Duration.ofDays(30)), "merge-" + run));
            kafka.produce(Topics.MEMBER_EVENTS, survivor,
                    ScoringFixture.order(survivor, survivor + "-0", now.minus(Duration.ofDays(60)), "merge-" + run));
            // both scored, and their batches done (a send failing takes about 40 s, behind a tick's own try)
            awaitCommitted(ends(Topics.MEMBER_EVENTS), MAX_AGE.multipliedBy(2));
            assertThat(stored(absorbed)).isTrue();
            assertThat(stored(survivor)).isTrue();

            Instant clock = streamClock.watermark().await().indefinitely().orElseThrow();
            pool.query("DELETE FROM stream_clock").execute().await().indefinitely();
            try {
                kafka.produce(Topics.MEMBER_MERGES, absorbed, MemberIdentityChange.newBuilder().setMerged(
                        MemberMerged.newBuilder().setAbsorbedMemberId(absorbed).setSurvivingMemberId(survivor)
                                .setRule("phone").setScore(1).setMergedAt(ScoringFixture.timestamp(Instant.now())))
                        .build());
                Map<TopicPartition, Long> ends = ends(Topics.MEMBER_MERGES);

                long until = System.nanoTime() + MAX_AGE.plusSeconds(30).toNanos();
                while (System.nanoTime() < until) {
                    given().get("/q/health/live").then().statusCode(200);
                    Thread.sleep(1_000);
                }
                awaitCommitted(ends, WAIT);
            } finally {
                streamClock.advanceWatermark(clock).await().indefinitely();
            }
        }
        assertThat(stored(absorbed)).as("the absorbed member's score deleted").isFalse();
        given().get("/members/" + absorbed + "/score").then().statusCode(404);
        assertThat(pool.preparedQuery("SELECT published_at IS NULL FROM churn_score WHERE member_id = $1")
                .execute(Tuple.of(survivor)).await().indefinitely())
                .as("the survivor's score stored, its withdrawal not sent").singleElement()
                .satisfies(row -> assertThat(row.getBoolean(0)).isTrue());
        given().get("/q/health/live").then().statusCode(200);
    }

    private boolean stored(String member) {
        return pool.preparedQuery("SELECT 1 FROM churn_score WHERE member_id = $1").execute(Tuple.of(member))
                .await().indefinitely().size() > 0;
    }

    /** Waits until the service's group has committed every partition up to its end. */
    private void awaitCommitted(Map<TopicPartition, Long> ends, Duration wait) {
        await().atMost(wait).untilAsserted(() -> {
            Map<TopicPartition, Long> committed = committed();
            ends.forEach((partition, end) -> assertThat(committed.getOrDefault(partition, 0L))
                    .as("committed on %s", partition).isGreaterThanOrEqualTo(end));
        });
    }

    private Map<TopicPartition, Long> ends(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic)
                    .partitions().forEach(p -> latest.put(new TopicPartition(topic, p.partition()),
                            OffsetSpec.latest()));
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(latest).all().get().forEach((partition, info) -> ends.put(partition, info.offset()));
            return ends;
        }
    }

    /** The service's committed offsets (member.events and member.merges are read by one group). */
    private Map<TopicPartition, Long> committed() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            Map<TopicPartition, Long> committed = new HashMap<>();
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            offsets.forEach((partition, offset) -> {
                if (offset != null) {
                    committed.put(partition, offset.offset());
                }
            });
            return committed;
        }
    }
}
