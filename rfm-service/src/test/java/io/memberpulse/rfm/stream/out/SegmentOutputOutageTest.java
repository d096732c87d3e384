package io.memberpulse.rfm.stream.out;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Timestamp;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.Source;
import io.memberpulse.proto.kafka.MemberEventDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.proto.kafka.Topics;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * member.segments cannot be written (its producer points at an address no broker listens on) while member.events is
 * read as usual, and a record may go unacknowledged for 1 min instead of 10: the batches are still acknowledged
 * (the input moves on, liveness stays up, the pod is not restarted) and their changes stay in the outbox for the relay.
 * Publishing was retried six times within each batch's output, each attempt waiting up to a minute for the broker.
 */
@QuarkusTest
@TestProfile(SegmentOutputOutageTest.UnreachableOutput.class)
class SegmentOutputOutageTest {
    /**
     * A minute instead of 10: a send fails within about 40 s (delivery.timeout.ms 30 s, the connector re-sending a
     * send that found no metadata within max.block.ms 10 s until then); the output, which tried six times, each up to
     * three minutes, held its batch far longer.
     */
    static final Duration MAX_AGE = Duration.ofSeconds(60);

    public static class UnreachableOutput implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mp.messaging.outgoing.member-segments.bootstrap.servers", "127.0.0.1:1",
                    "mp.messaging.connector.smallrye-kafka.throttled.unprocessed-record-max-age.ms",
                    String.valueOf(MAX_AGE.toMillis()));
        }
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "mp.messaging.incoming.member-events.group.id")
    String group;

    @Inject
    Pool pool;

    @Test
    void anUnwritableOutputTopicNeitherHoldsTheInputNorFailsLiveness() throws Exception {
        String first = "out-outage-" + UUID.randomUUID();
        String second = "out-outage-" + UUID.randomUUID();
        send(first);
        awaitQueued(first);
        send(second); // a batch whose output comes after a failed one
        Map<TopicPartition, Long> ends = ends();

        long until = System.nanoTime() + MAX_AGE.plusSeconds(30).toNanos();
        while (System.nanoTime() < until) {
            given().get("/q/health/live").then().statusCode(200);
            Thread.sleep(1_000);
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Map<TopicPartition, Long> committed = committed();
            ends.forEach((partition, end) -> assertThat(committed.getOrDefault(partition, 0L))
                    .as("committed on %s", partition).isGreaterThanOrEqualTo(end));
        });
        // left queued, for the relay to publish once the broker is reachable
        awaitQueued(second);
        given().get("/q/health/live").then().statusCode(200);
    }

    private void send(String member) {
        Instant at = Instant.parse("2024-05-01T10:00:00Z");
        MemberEvent order = MemberEvent.newBuilder().setMemberId(member).setEvent(ChannelEvent.newBuilder()
                .setEventId(member + "-1").setSource(Source.SOURCE_POS).setType(EventType.EVENT_TYPE_ORDER)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond())).setStoreId("s-007")
                .setLine(OrderLine.newBuilder().setOrderId(member + "-o1").setQuantity(1).setPaidAmount(42))).build();
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
            kafka.produce(String.class, MemberEvent.class)
                    .fromRecords(new ProducerRecord<>(Topics.MEMBER_EVENTS, member, order)).awaitCompletion();
        }
    }

    private void awaitQueued(String member) {
        await().atMost(Duration.ofSeconds(60)).until(() -> pool.preparedQuery(
                "SELECT count(*) FROM segment_change_outbox WHERE member_id = $1").execute(Tuple.of(member))
                .await().indefinitely().iterator().next().getLong(0) > 0);
    }

    private Map<TopicPartition, Long> ends() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(java.util.List.of(Topics.MEMBER_EVENTS)).allTopicNames().get().get(Topics.MEMBER_EVENTS)
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
