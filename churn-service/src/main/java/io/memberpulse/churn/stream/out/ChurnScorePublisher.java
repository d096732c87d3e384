package io.memberpulse.churn.stream.out;

import io.memberpulse.churn.ChurnScoredMapper;
import io.memberpulse.churn.domain.ChurnScore;
import io.memberpulse.proto.churn.v1.ChurnScored;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/**
 * ChurnScored on churn.scores, keyed by member id; a member no longer scored is withdrawn with a tombstone (the member
 * id as key, no value), which also lets a compacted topic forget them.
 */
@ApplicationScoped
public class ChurnScorePublisher {
    public static final String CHANNEL = "churn-scores";

    private final MutinyEmitter<ChurnScored> emitter;

    public ChurnScorePublisher(@Channel(CHANNEL) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 50_000)
            MutinyEmitter<ChurnScored> emitter) {
        this.emitter = emitter;
    }

    public Uni<Void> publish(List<ChurnScore> scores) {
        if (scores.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Uni.join().all(scores.stream().map(score -> emitter.sendMessage(Message.of(ChurnScoredMapper.toProto(score)).addMetadata(
                OutgoingKafkaRecordMetadata.<String>builder().withKey(score.memberId()).build()))).toList())
                .andFailFast().replaceWithVoid();
    }

    /** Tombstones of the members: their last score no longer holds (see proto churn.proto). */
    public Uni<Void> withdraw(Collection<String> memberIds) {
        if (memberIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Uni.join().all(memberIds.stream().map(memberId -> emitter.sendMessage(Message.<ChurnScored>of(null)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(memberId).build()))).toList())
                .andFailFast().replaceWithVoid();
    }
}
