package io.memberpulse.campaign.testdata;

import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.proto.kafka.SegmentChangedDeserializer;
import io.memberpulse.proto.kafka.Topics;
import io.memberpulse.proto.segments.v1.SegmentChanged;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Test data: SegmentChanged as rfm-service publishes it on member.segments. */
public final class SegmentEvents {
    private SegmentEvents() {
    }

    public static void register(KafkaCompanion kafka) {
        kafka.registerSerde(SegmentChanged.class, ProtobufSerdes.of(new SegmentChangedDeserializer()));
    }

    public static SegmentChanged change(String member, String segment, boolean entered, Instant at, String homeStore) {
        return SegmentChanged.newBuilder().setMemberId(member).setSegmentId(segment)
                .setChange(entered ? SegmentChanged.Change.CHANGE_ENTERED : SegmentChanged.Change.CHANGE_LEFT)
                .setAt(MemberEvents.timestamp(at)).setHomeStoreId(homeStore == null ? "" : homeStore).build();
    }

    public static void publish(KafkaCompanion kafka, List<SegmentChanged> changes) {
        kafka.produce(String.class, SegmentChanged.class)
                .fromRecords(changes.stream().map(c -> new ProducerRecord<>(Topics.MEMBER_SEGMENTS, c.getMemberId(), c)).toList())
                .awaitCompletion();
    }
}
