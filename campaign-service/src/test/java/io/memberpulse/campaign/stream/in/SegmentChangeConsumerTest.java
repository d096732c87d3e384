package io.memberpulse.campaign.stream.in;

import static io.memberpulse.campaign.testdata.DeadLetters.deadLetter;
import static io.memberpulse.campaign.testdata.DeadLetters.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Timestamp;
import io.memberpulse.campaign.WithKafkaCompanion;
import io.memberpulse.campaign.store.MemberSegmentRepository;
import io.memberpulse.campaign.testdata.ChurnEvents;
import io.memberpulse.proto.kafka.Topics;
import io.memberpulse.proto.segments.v1.SegmentChanged;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

@QuarkusTest
class SegmentChangeConsumerTest extends WithKafkaCompanion {
    @Inject
    MemberSegmentRepository segments;

    @Test
    void aChangeWithoutItsSegmentOrTimeIsDeadLetteredAloneAndItsNeighbourApplied() {
        String run = ChurnEvents.run();
        String member = "m-" + run;
        String segment = "seg-" + run;
        Timestamp at = Timestamp.newBuilder().setSeconds(1_750_000_000L).build();
        ConsumerTask<String, byte[]> dlq = kafka.consume(String.class, byte[].class)
                .fromTopics(Topics.deadLetter(Topics.MEMBER_SEGMENTS));
        SegmentChanged timeless = SegmentChanged.newBuilder().setMemberId("timeless-" + run).setSegmentId(segment)
                .setChange(SegmentChanged.Change.CHANGE_LEFT).build();
        SegmentChanged nowhere = SegmentChanged.newBuilder().setMemberId("nowhere-" + run)
                .setChange(SegmentChanged.Change.CHANGE_ENTERED).setAt(at).build();
        SegmentChanged good = SegmentChanged.newBuilder().setMemberId(member).setSegmentId(segment)
                .setChange(SegmentChanged.Change.CHANGE_ENTERED).setAt(at).build();
        kafka.produce(String.class, byte[].class).fromRecords(
                new ProducerRecord<>(Topics.MEMBER_SEGMENTS, "timeless-" + run, timeless.toByteArray()),
                new ProducerRecord<>(Topics.MEMBER_SEGMENTS, "nowhere-" + run, nowhere.toByteArray()),
                new ProducerRecord<>(Topics.MEMBER_SEGMENTS, member, good.toByteArray())).awaitCompletion();

        await().atMost(Duration.ofSeconds(30)).until(() -> !segments.memberships(List.of(member), List.of(segment))
                .await().indefinitely().isEmpty());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(deadLetter(dlq, "timeless-" + run)).hasValueSatisfying(record ->
                    assertThat(header(record, "dead-letter-reason")).contains("at: is required"));
            assertThat(deadLetter(dlq, "nowhere-" + run)).hasValueSatisfying(record ->
                    assertThat(header(record, "dead-letter-reason")).contains("segment_id: is required"));
        });
        assertThat(deadLetter(dlq, member)).isEmpty();
        dlq.stop();
    }
}
