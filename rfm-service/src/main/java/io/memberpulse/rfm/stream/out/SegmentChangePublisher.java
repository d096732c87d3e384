package io.memberpulse.rfm.stream.out;

import com.google.protobuf.Timestamp;
import io.memberpulse.proto.segments.v1.SegmentChanged;
import io.memberpulse.rfm.domain.SegmentChange;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/** SegmentChanged on member.segments, keyed by member id. */
@ApplicationScoped
public class SegmentChangePublisher {
    public static final String CHANNEL = "member-segments";

    private final MutinyEmitter<SegmentChanged> emitter;

    public SegmentChangePublisher(@Channel(CHANNEL) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 50_000)
            MutinyEmitter<SegmentChanged> emitter) {
        this.emitter = emitter;
    }

    public Uni<Void> publish(List<SegmentChange> changes) {
        if (changes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Uni.join().all(changes.stream().map(change -> {
            SegmentChanged message = SegmentChanged.newBuilder()
                    .setMemberId(change.memberId()).setSegmentId(change.segmentId())
                    .setChange(change.entered() ? SegmentChanged.Change.CHANGE_ENTERED : SegmentChanged.Change.CHANGE_LEFT)
                    .setAt(Timestamp.newBuilder().setSeconds(change.at().getEpochSecond()).setNanos(change.at().getNano()))
                    .setHomeStoreId(change.homeStoreId() == null ? "" : change.homeStoreId())
                    .build();
            return emitter.sendMessage(Message.of(message).addMetadata(
                    OutgoingKafkaRecordMetadata.<String>builder().withKey(change.memberId()).build()));
        }).toList()).andFailFast().replaceWithVoid();
    }
}
