package io.memberpulse.churn.stream.in;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Timestamp;
import io.memberpulse.churn.domain.ChurnScore;
import io.memberpulse.churn.store.ChurnRepository;
import io.memberpulse.churn.stream.out.ChurnScorePublisher;
import io.memberpulse.proto.churn.v1.ChurnScored;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.Source;
import io.memberpulse.proto.kafka.ChurnScoredDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.proto.kafka.Topics;
import io.quarkus.arc.ClientProxy;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** churn.scores: a score stored but never acknowledged by the broker is still published. */
@QuarkusTest
class ScorePublishingTest {
    private static final Duration WAIT = Duration.ofSeconds(45);
    private static final Instant NOT_BEFORE = Instant.parse("2030-01-01T00:00:00Z");

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    ChurnRepository facts;

    @Inject
    ChurnScorePublisher publisher;

    KafkaCompanion kafka;
    String run;
    Instant now;

    @BeforeEach
    void connect() {
        kafka = new KafkaCompanion(bootstrapServers);
        kafka.registerSerde(ChurnScored.class, ProtobufSerdes.of(new ChurnScoredDeserializer()));
        run = UUID.randomUUID().toString().substring(0, 8);
        Instant clock = facts.watermark().await().indefinitely().orElse(NOT_BEFORE);
        now = clock.isAfter(NOT_BEFORE) ? clock : NOT_BEFORE;
    }

    @AfterEach
    void close() {
        kafka.close();
    }

    @Test
    void aScoreStoredWhoseSendFailedIsPublishedWhenTheBatchIsRecordedAgain() {
        String member = "m-" + run;
        AtomicBoolean sendFailed = failFirstSendOf(member);
        var scores = kafka.consume(String.class, ChurnScored.class).fromTopics(Topics.CHURN_SCORES);

        MemberEvent order = MemberEvent.newBuilder().setMemberId(member).setEvent(ChannelEvent.newBuilder()
                .setEventId(member + "-0").setSource(Source.SOURCE_POS).setType(EventType.EVENT_TYPE_ORDER)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(now.minus(Duration.ofDays(20)).getEpochSecond()))
                .setStoreId("publish-" + run)
                .setLine(OrderLine.newBuilder().setOrderId(member + "-o").setQuantity(1).setPaidAmount(30))).build();
        kafka.produce(String.class, byte[].class).fromRecords(
                new ProducerRecord<>(Topics.MEMBER_EVENTS, member, order.toByteArray())).awaitCompletion(WAIT);

        // The score was committed before its send failed; the batch is retried with that score stored.
        await().atMost(WAIT).untilTrue(sendFailed);
        given().get("/members/" + member + "/score").then().statusCode(200);
        await().atMost(WAIT).until(() -> scores.getRecords().stream().anyMatch(r -> member.equals(r.key())
                && r.value().getHomeStoreId().equals("publish-" + run)));
        scores.stop();
    }

    /** The publisher fails the first send that holds the member's score, as a broker that never acknowledged it. */
    private AtomicBoolean failFirstSendOf(String member) {
        ChurnScorePublisher real = ClientProxy.unwrap(publisher);
        AtomicBoolean failed = new AtomicBoolean();
        QuarkusMock.installMockForType(new ChurnScorePublisher(null) {
            @Override
            public Uni<Void> publish(List<ChurnScore> scores) {
                boolean holdsTheMember = scores.stream().anyMatch(score -> member.equals(score.memberId()));
                if (holdsTheMember && failed.compareAndSet(false, true)) {
                    return Uni.createFrom().failure(new IllegalStateException("churn.scores did not acknowledge (test)"));
                }
                return real.publish(scores);
            }
        }, ChurnScorePublisher.class);
        return failed;
    }
}
