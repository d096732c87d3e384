package io.memberpulse.identity.api.kafka;

import static io.memberpulse.identity.ResolveBodies.identifiers;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.google.protobuf.Timestamp;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.Identifiers;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.Source;
import io.memberpulse.proto.kafka.Topics;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ChannelEventConsumerTest {
    private static final String DEAD_LETTERS = Topics.deadLetter(Topics.CHANNEL_EVENTS);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    KafkaCompanion kafka;

    @BeforeEach
    void connect() {
        kafka = new KafkaCompanion(bootstrapServers);
    }

    @AfterEach
    void close() {
        kafka.close();
    }

    static ChannelEvent order(String eventId, String memberNo, String phone) {
        Instant at = Instant.parse("2024-05-01T02:00:00Z");
        return ChannelEvent.newBuilder().setEventId(eventId).setSource(Source.SOURCE_MINIAPP)
                .setType(EventType.EVENT_TYPE_ORDER).setStoreId("s-kafka")
                .setOccurredAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond()))
                .setIdentifiers(Identifiers.newBuilder().setMemberNo(memberNo).setPhone(phone))
                .setLine(OrderLine.newBuilder().setOrderId("o-" + eventId).setSku("sku-1").setQuantity(1).setPaidAmount(9.9))
                .build();
    }

    @Test
    void goodRecordsAreImportedOnceAndBadOnesDeadLetteredAloneWithTheirReason() {
        String run = UUID.randomUUID().toString();
        ConsumerTask<String, byte[]> deadLetters = kafka.consume(String.class, byte[].class).fromTopics(DEAD_LETTERS);
        byte[] garbage = {0x0A, 0x05, 'x'}; // field 1 announces 5 bytes and brings 1: not protobuf
        ChannelEvent good = order("k-good-" + run, "KM-" + run, "");
        ChannelEvent absurd = order("k-absurd-" + run, "KM2-" + run, "1".repeat(200));
        ChannelEvent untyped = order("k-untyped-" + run, "KM3-" + run, "").toBuilder()
                .setType(EventType.EVENT_TYPE_UNSPECIFIED).build();
        ChannelEvent future = order("k-future-" + run, "KM5-" + run, "").toBuilder()
                .setOccurredAt(Timestamp.newBuilder().setSeconds(Instant.parse("2099-01-01T00:00:00Z").getEpochSecond()))
                .build();

        kafka.produce(String.class, byte[].class).fromRecords(
                new ProducerRecord<>(Topics.CHANNEL_EVENTS, "garbage-" + run, garbage),
                new ProducerRecord<>(Topics.CHANNEL_EVENTS, "good-" + run, good.toByteArray()),
                new ProducerRecord<>(Topics.CHANNEL_EVENTS, "absurd-" + run, absurd.toByteArray()),
                new ProducerRecord<>(Topics.CHANNEL_EVENTS, "untyped-" + run, untyped.toByteArray()),
                new ProducerRecord<>(Topics.CHANNEL_EVENTS, "future-" + run, future.toByteArray())).awaitCompletion();

        String memberId = await().atMost(Duration.ofSeconds(30)).until(() -> given()
                .spec(identifiers("member_no", "KM-" + run)).post("/members/resolve").then().extract(),
                response -> response.statusCode() == 200).path("memberId");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(deadLetter(deadLetters, "garbage-" + run)).hasValueSatisfying(record -> {
                assertThat(record.value()).isEqualTo(garbage);
                assertThat(header(record, "dead-letter-reason")).contains("ChannelEvent");
            });
            assertThat(deadLetter(deadLetters, "absurd-" + run)).hasValueSatisfying(record -> {
                assertThat(record.value()).isEqualTo(absurd.toByteArray());
                assertThat(header(record, "dead-letter-reason")).startsWith("phone: ");
            });
            assertThat(deadLetter(deadLetters, "untyped-" + run)).hasValueSatisfying(record ->
                    assertThat(header(record, "dead-letter-reason")).contains("type: is required"));
            assertThat(deadLetter(deadLetters, "future-" + run)).hasValueSatisfying(record ->
                    assertThat(header(record, "dead-letter-reason")).startsWith("occurred_at: is in the future: 2099-01-01T00:00:00Z"));
        });
        assertThat(deadLetter(deadLetters, "good-" + run)).isEmpty();
        deadLetters.stop();

        // re-delivered (same source + event_id), then a marker behind it on the same partition (same key)
        kafka.produce(String.class, byte[].class).fromRecords(
                new ProducerRecord<>(Topics.CHANNEL_EVENTS, "good-" + run, good.toByteArray()),
                new ProducerRecord<>(Topics.CHANNEL_EVENTS, "good-" + run,
                        order("k-marker-" + run, "KM4-" + run, "").toByteArray())).awaitCompletion();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().spec(identifiers("member_no", "KM4-" + run)).post("/members/resolve").then().statusCode(200));
        given().get("/members/" + memberId).then().statusCode(200).body("eventCount", equalTo(1));
        given().spec(identifiers("member_no", "KM2-" + run)).post("/members/resolve").then().statusCode(404);
        given().spec(identifiers("member_no", "KM5-" + run)).post("/members/resolve").then().statusCode(404);
    }

    private static Optional<ConsumerRecord<String, byte[]>> deadLetter(ConsumerTask<String, byte[]> task, String key) {
        return task.getRecords().stream().filter(record -> key.equals(record.key())).findFirst();
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }
}
