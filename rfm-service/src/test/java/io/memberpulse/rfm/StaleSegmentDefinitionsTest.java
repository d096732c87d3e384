package io.memberpulse.rfm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.kafka.MemberEventDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.proto.kafka.SegmentChangedDeserializer;
import io.memberpulse.proto.kafka.Topics;
import io.memberpulse.proto.segments.v1.SegmentChanged;
import io.memberpulse.rfm.domain.RfmSnapshot;
import io.memberpulse.rfm.domain.SegmentChange;
import io.memberpulse.rfm.store.MemberRowRepository;
import io.memberpulse.rfm.store.StreamClockRepository;
import io.memberpulse.rfm.store.RuleSegmentRepository;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Another replica changed the segment definitions and backfilled (the new segment's entries written and queued);
 * this replica has not polled them yet. Neither its live path nor its re-ageing pass may write rows computed with
 * the old definitions: they would take the member out of the new segment and publish the exit, and the entry again
 * after the next poll (campaigns would open and cancel calls on the flapping membership).
 */
@QuarkusTest
@TestProfile(StaleSegmentDefinitionsTest.NoPolling.class)
class StaleSegmentDefinitionsTest {
    static final Duration WAIT = Duration.ofSeconds(60);

    /** Nothing scheduled: this replica never polls the definitions, nor re-ages unless the test says so. */
    public static class NoPolling implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.scheduler.enabled", "false", "memberpulse.rfm.rule-reload-every", "1h");
        }
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    MemberRowRepository memberRows;

    @Inject
    StreamClockRepository streamClock;

    @Inject
    RuleSegmentRepository rules;

    @Inject
    SegmentDefinitions definitions;

    @Inject
    RecomputeRfmService recompute;

    @Inject
    Pool pool;

    KafkaCompanion kafka;
    ConsumerTask<String, SegmentChanged> published;

    @BeforeEach
    void connect() {
        kafka = new KafkaCompanion(bootstrapServers);
        kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
        kafka.registerSerde(SegmentChanged.class, ProtobufSerdes.of(new SegmentChangedDeserializer()));
        published = kafka.consume(String.class, SegmentChanged.class).fromTopics(Topics.MEMBER_SEGMENTS);
    }

    @AfterEach
    void close() {
        published.stop();
        kafka.close();
    }

    @Test
    void theLivePathOfAReplicaThatHasNotPolledKeepsAMemberInASegmentDefinedElsewhere() {
        String member = "m-" + UUID.randomUUID();
        Instant now = clock();
        send(ReageingAndReplicasTest.order(member, now.minus(Duration.ofDays(2)), 60_000));
        MemberRowRepository.StoredRow before = awaitRow(member, 1);
        String segment = "big-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(definitions.exists(segment)).isFalse();
        try {
            defineElsewhere(segment, member, before);

            // This replica, still on the old definitions, gets the member's next order.
            send(ReageingAndReplicasTest.order(member, now.minus(Duration.ofDays(1)), 100));
            MemberRowRepository.StoredRow after = awaitRow(member, 2);

            assertThat(after.snapshot().segments()).as("member_rfm.segments").contains(segment);
            assertNoExitPublished(member, segment);
        } finally {
            rules.delete(segment, Instant.now()).await().indefinitely();
        }
    }

    @Test
    void theReageingPassOfAReplicaThatHasNotPolledKeepsAMemberInASegmentDefinedElsewhere() {
        String member = "m-" + UUID.randomUUID();
        Instant now = clock();
        send(ReageingAndReplicasTest.order(member, now.minus(Duration.ofDays(2)), 60_000));
        awaitRow(member, 1);
        recompute.backfill(); // this replica's state holds the member
        String segment = "big-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(definitions.exists(segment)).isFalse();
        try {
            defineElsewhere(segment, member, memberRows.rowsOf(List.of(member)).await().indefinitely().get(member));

            // This replica re-ages everyone, still on the old definitions.
            recompute.backfill();

            assertThat(memberRows.rowsOf(List.of(member)).await().indefinitely().get(member).snapshot().segments())
                    .as("member_rfm.segments").contains(segment);
            assertThat(definitions.exists(segment)).as("reloaded when the write found newer definitions").isTrue();
            assertNoExitPublished(member, segment);
        } finally {
            rules.delete(segment, Instant.now()).await().indefinitely();
        }
    }

    /**
     * What another replica does on POST /segments: stores the rule (raising the definitions' version), and its
     * backfill writes the member's row with the new segment and queues the entry with it.
     */
    void defineElsewhere(String segment, String member, MemberRowRepository.StoredRow stored) {
        definitions.all(); // this replica has loaded its definitions, before the change
        rules.insert(new RuleSegmentRepository.StoredRule(segment, "Defined elsewhere", "monetary_net_total >= 55555.0"),
                Instant.now()).await().indefinitely();
        Set<String> segments = new LinkedHashSet<>(stored.snapshot().segments());
        segments.add(segment);
        var rfm = stored.snapshot().rfm();
        Set<String> written = memberRows.writeIfUnchanged(
                List.of(new MemberRowRepository.PassRow(new RfmSnapshot(rfm, segments), stored.updatedAt())),
                Instant.now().truncatedTo(ChronoUnit.MICROS),
                List.of(new SegmentChange(member, segment, true, rfm.asOf(), rfm.homeStoreId())),
                rules.version().await().indefinitely()).await().indefinitely();
        assertThat(written).containsExactly(member);
        assertThat(definitions.exists(segment)).as("this replica has not polled").isFalse();
    }

    /** The entry the other replica queued is published; no exit follows it. */
    void assertNoExitPublished(String member, String segment) {
        await().atMost(WAIT).until(() -> published.getRecords().stream().anyMatch(r -> member.equals(r.key())
                && r.value().getSegmentId().equals(segment) && r.value().getChange() == SegmentChanged.Change.CHANGE_ENTERED));
        await().atMost(WAIT).until(() -> pool.preparedQuery("SELECT count(*) FROM segment_change_outbox WHERE member_id = $1")
                .execute(Tuple.of(member)).await().indefinitely().iterator().next().getLong(0) == 0);
        // Everything queued for the member is published; give the consumer a moment to read what followed the entry.
        await().pollDelay(Duration.ofSeconds(3)).atMost(WAIT).until(() -> true);
        assertThat(published.getRecords()).filteredOn(r -> member.equals(r.key()) && r.value().getSegmentId().equals(segment))
                .extracting(r -> r.value().getChange()).as("published for %s", segment)
                .containsExactly(SegmentChanged.Change.CHANGE_ENTERED);
    }

    void send(MemberEvent event) {
        kafka.produce(String.class, MemberEvent.class)
                .fromRecords(new ProducerRecord<>(Topics.MEMBER_EVENTS, event.getMemberId(), event)).awaitCompletion();
    }

    MemberRowRepository.StoredRow awaitRow(String member, long orders) {
        await().atMost(WAIT).until(() -> {
            var row = memberRows.rowsOf(List.of(member)).await().indefinitely().get(member);
            return row != null && row.snapshot().rfm().ordersTotal() == orders;
        });
        return memberRows.rowsOf(List.of(member)).await().indefinitely().get(member);
    }

    Instant clock() {
        var clock = streamClock.watermark().await().indefinitely();
        if (clock.isPresent()) {
            return clock.get();
        }
        String first = "m-" + UUID.randomUUID();
        send(ReageingAndReplicasTest.order(first, ReageingAndReplicasTest.DAY0, 10));
        awaitRow(first, 1);
        return streamClock.watermark().await().indefinitely().orElseThrow();
    }
}
