package io.memberpulse.churn.stream.out;

import static io.memberpulse.churn.ScoringFixture.WAIT;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.memberpulse.churn.ScoringFixture;
import io.memberpulse.churn.store.ChurnRepository;
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
    ChurnRepository facts;

    @Inject
    Pool pool;

    @Test
    void anUnwritableOutputTopicNeitherHoldsTheInputNorFailsLiveness() throws Exception {
        String run = ScoringFixture.runId();
        Instant now = ScoringFixture.now(facts);
        try (ScoringFixture kafka = new ScoringFixture(bootstrapServers)) {
            for (int i = 0; i < 2; i++) {
                String member = "m-" + run + "-" + i;
                kafka.produce(Topics.MEMBER_EVENTS, member,
                        ScoringFixture.order(member, member + "-0", now.minus(Duration.ofDays(20 - i)), "out-" + run));
            }
        }
        Map<TopicPartition, Long> ends = ends();

        long until = System.nanoTime() + MAX_AGE.plusSeconds(30).toNanos();
        while (System.nanoTime() < until) {
            given().get("/q/health/live").then().statusCode(200);
            Thread.sleep(1_000);
        }
        await().atMost(WAIT).untilAsserted(() -> {
            Map<TopicPartition, Long> committed = committed();
            ends.forEach((partition, end) -> assertThat(committed.getOrDefault(partition, 0L))
                    .as("committed on %s", partition).isGreaterThanOrEqualTo(end));
        });
        for (int i = 0; i < 2; i++) {
            assertThat(pool.preparedQuery("SELECT published_at IS NULL FROM churn_score WHERE member_id = $1")
                    .execute(Tuple.of("m-" + run + "-" + i)).await().indefinitely())
                    .as("stored, not published").singleElement().satisfies(row -> assertThat(row.getBoolean(0)).isTrue());
        }
        given().get("/q/health/live").then().statusCode(200);
    }

    private Map<TopicPartition, Long> ends() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(List.of(Topics.MEMBER_EVENTS)).allTopicNames().get().get(Topics.MEMBER_EVENTS)
                    .partitions().forEach(p -> latest.put(new TopicPartition(Topics.MEMBER_EVENTS, p.partition()),
                            OffsetSpec.latest()));
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(latest).all().get().forEach((partition, info) -> ends.put(partition, info.offset()));
            return ends;
        }
    }

    private Map<TopicPartition, Long> committed() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            Map<TopicPartition, Long> committed = new HashMap<>();
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            offsets.forEach((partition, offset) -> {
                if (offset != null && partition.topic().equals(Topics.MEMBER_EVENTS)) {
                    committed.put(partition, offset.offset());
                }
            });
            return committed;
        }
    }
}
