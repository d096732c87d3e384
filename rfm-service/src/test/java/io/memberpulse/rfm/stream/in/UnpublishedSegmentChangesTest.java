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
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A member's segment entry written to PostgreSQL but never acknowledged by the broker (it was away for longer than
 * the output's retries, and the batch was dead-lettered; or the replica stopped before publishing) is still
 * published once the broker is back: the next computation starts from the row already holding the new segments and
 * finds nothing changed, so the change written must not depend on that output.
 */
@QuarkusTest
class UnpublishedSegmentChangesTest {
    static final Duration WAIT = Duration.ofSeconds(60);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    SegmentChangePublisher publisher;

    /** The service's publisher behind a switch: while the broker is "away" every publish fails. */
    static final class BrokerAway extends SegmentChangePublisher {
        private final SegmentChangePublisher broker;
        volatile boolean away = true;

        BrokerAway(SegmentChangePublisher broker) {
            super(null);
            this.broker = broker;
        }

        @Override
        public Uni<Void> publish(List<SegmentChange> changes) {
            return Uni.createFrom().deferred(() -> away ? Uni.createFrom().failure(new IllegalStateException("broker away (test)"))
                    : broker.publish(changes));
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

            kafka.produce(String.class, MemberEvent.class)
                    .fromRecords(new ProducerRecord<>(Topics.MEMBER_EVENTS, member, order)).awaitCompletion();
            // The row is written with its segments; its output keeps failing and the batch is dead-lettered.
            await().atMost(WAIT).until(() -> deadLetters.getRecords().stream().anyMatch(r -> member.equals(r.key())));
            List<String> segments = given().get("/members/" + member + "/rfm").then().statusCode(200)
                    .extract().path("segments");
            assertThat(segments).isNotEmpty();

            // The broker is back and the batch is delivered again (a replay of the dead letters): the facts are
            // already stored and the row already holds the segments.
            broker.away = false;
            kafka.produce(String.class, MemberEvent.class)
                    .fromRecords(new ProducerRecord<>(Topics.MEMBER_EVENTS, member, order)).awaitCompletion();
            await().atMost(WAIT).until(() -> segments.stream().allMatch(segment -> changes.getRecords().stream()
                    .anyMatch(r -> member.equals(r.key()) && r.value().getSegmentId().equals(segment)
                            && r.value().getChange() == SegmentChanged.Change.CHANGE_ENTERED)));
            deadLetters.stop();
            changes.stop();
        }
    }
}
