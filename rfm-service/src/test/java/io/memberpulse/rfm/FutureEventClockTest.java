package io.memberpulse.rfm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.kafka.MemberEventDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.proto.kafka.Topics;
import io.memberpulse.rfm.store.MemberRowRepository;
import io.memberpulse.rfm.store.StreamClockRepository;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The event-time clock follows the events' time, but not beyond this replica's clock plus
 * memberpulse.rfm.max-clock-lead: one event stamped hours ahead (a till sending local time marked UTC) would
 * otherwise age every member, for good, as the clock never moves back. Runs in a JVM of its own (the surefire
 * execution "clock"): it moves the clock, one per database, to the present, past the other tests' events; a -Dtest
 * pattern that also matches it in the other tests' JVM skips it there.
 */
@QuarkusTest
@EnabledIfSystemProperty(named = "rfm-test-jvm", matches = "clock")
class FutureEventClockTest {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "memberpulse.rfm.max-clock-lead")
    Duration maxClockLead;

    @Inject
    MemberRowRepository memberRows;

    @Inject
    StreamClockRepository streamClock;

    @Test
    void anEventHoursAheadMovesTheClockNoFurtherThanNowPlusTheLead() {
        // History (an import of old data) moves the clock to its events exactly.
        String old = "m-" + UUID.randomUUID();
        send(ReageingAndReplicasTest.order(old, ReageingAndReplicasTest.DAY0, 40));
        awaitRow(old);
        assertThat(streamClock.watermark().await().indefinitely()).contains(ReageingAndReplicasTest.DAY0);

        // A till eight hours ahead.
        String ahead = "m-" + UUID.randomUUID();
        Instant sent = Instant.now();
        send(ReageingAndReplicasTest.order(ahead, sent.plus(Duration.ofHours(8)), 25));
        awaitRow(ahead);
        Instant recorded = Instant.now();
        Instant clock = streamClock.watermark().await().indefinitely().orElseThrow();
        assertThat(clock).as("moved to the present, not beyond it by more than the lead")
                .isAfterOrEqualTo(sent.plus(maxClockLead).minusMillis(1))
                .isBeforeOrEqualTo(recorded.plus(maxClockLead).plusMillis(1));
    }

    void send(MemberEvent event) {
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
            kafka.produce(String.class, MemberEvent.class)
                    .fromRecords(new ProducerRecord<>(Topics.MEMBER_EVENTS, event.getMemberId(), event)).awaitCompletion();
        }
    }

    void awaitRow(String member) {
        await().atMost(Duration.ofSeconds(30)).until(() -> memberRows.rowsOf(List.of(member)).await().indefinitely().containsKey(member));
    }
}
