package io.memberpulse.rfm.stream.in;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.kafka.MemberEventDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.proto.kafka.SegmentChangedDeserializer;
import io.memberpulse.proto.kafka.Topics;
import io.memberpulse.proto.segments.v1.SegmentChanged;
import io.memberpulse.rfm.domain.SegmentChange;
import io.memberpulse.rfm.stream.out.SegmentChangePublisher;
import io.quarkus.arc.ClientProxy;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A member's segment entry written to PostgreSQL but never acknowledged by the broker (it was away for longer than
 * the output's retries, or the replica stopped before publishing) is still published once the broker is back: the
 * next computation starts from the row already holding the new segments and finds nothing changed, so the change
 * written must not depend on that output. Nor are the batch's facts dead-lettered for it: they are stored.
 */
@QuarkusTest
class UnpublishedSegmentChangesTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    static final String GROUP = "rfm-service";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    SegmentChangePublisher publisher;

    /** The service's publisher behind a switch: while the broker is "away" every publish fails. */
    static final class BrokerAway extends SegmentChangePublisher {
        private final SegmentChangePublisher broker;
        volatile boolean away = true;
        final AtomicInteger failed = new AtomicInteger();

        BrokerAway(SegmentChangePublisher broker) {
            super(null);
            this.broker = broker;
        }

        @Override
        public Uni<Void> publish(List<SegmentChange> changes) {
            return Uni.createFrom().deferred(() -> {
                if (away) {
                    failed.incrementAndGet();
                    return Uni.createFrom().failure(new IllegalStateException("broker away (test)"));
                }
                return broker.publish(changes);
            });
        }
    }

    @Test
    void aSegmentEntryWrittenWhileTheBrokerWasAwayIsPublishedOnceItIsBack() {
        BrokerAway broker = new BrokerAway(ClientProxy.unwrap(publisher));
        QuarkusMock.installMockForType(broker, SegmentChangePublisher.class);
        String member = "m-" + UUID.randomUUID();
        MemberEvent order = MemberIdentityChangeConsumerTest.order(member, member + "-1", MemberIdentityChangeConsumerTest.DAY0, 120);
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
            kafka.registerSerde(SegmentChanged.class, ProtobufSerdes.of(new SegmentChangedDeserializer()));
            var deadLetters = kafka.consume(String.class, byte[].class).fromTopics(Topics.deadLetter(Topics.MEMBER_EVENTS));
            var changes = kafka.consume(String.class, SegmentChanged.class).fromTopics(Topics.MEMBER_SEGMENTS);

            var sent = kafka.produce(String.class, MemberEvent.class)
                    .fromRecords(new ProducerRecord<>(Topics.MEMBER_EVENTS, member, order)).awaitCompletion()
                    .getFirstRecord();
            TopicPartition partition = new TopicPartition(sent.topic(), sent.partition());
            // The row is written with its segments; publishing its changes keeps failing, yet the batch is
            // acknowledged (its offset committed) and not dead-lettered: the changes wait in the outbox.
            await().atMost(WAIT).until(() -> {
                OffsetAndMetadata committed = kafka.consumerGroups().offsets(GROUP, partition);
                return committed != null && committed.offset() > sent.offset();
            });
            List<String> segments = given().get("/members/" + member + "/rfm").then().statusCode(200)
                    .extract().path("segments");
            assertThat(segments).isNotEmpty();
            assertThat(broker.failed.get()).as("publish attempts while the broker was away").isPositive();
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                    .until(() -> deadLetters.getRecords().stream().noneMatch(r -> member.equals(r.key())));

            // The broker is back: the relay publishes the queued changes, with nothing delivered again.
            broker.away = false;
            await().atMost(WAIT).until(() -> segments.stream().allMatch(segment -> changes.getRecords().stream()
                    .anyMatch(r -> member.equals(r.key()) && r.value().getSegmentId().equals(segment)
                            && r.value().getChange() == SegmentChanged.Change.CHANGE_ENTERED)));
            deadLetters.stop();
            changes.stop();
        }
    }
}
