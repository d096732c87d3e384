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
    /** At most this many unacknowledged sends (within the emitter's buffer). */
    private static final int IN_FLIGHT = 20_000;

    private final MutinyEmitter<SegmentChanged> emitter;

    public SegmentChangePublisher(@Channel(CHANNEL) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 50_000)
            MutinyEmitter<SegmentChanged> emitter) {
        this.emitter = emitter;
    }

    /** Sends every change and completes when the broker has them all, a buffer's worth at a time. */
    public Uni<Void> publish(List<SegmentChange> changes) {
        Uni<Void> sent = Uni.createFrom().voidItem();
        for (int from = 0; from < changes.size(); from += IN_FLIGHT) {
            List<SegmentChange> chunk = changes.subList(from, Math.min(changes.size(), from + IN_FLIGHT));
            sent = sent.chain(() -> publishAll(chunk));
        }
        return sent;
    }

    private Uni<Void> publishAll(List<SegmentChange> changes) {
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
