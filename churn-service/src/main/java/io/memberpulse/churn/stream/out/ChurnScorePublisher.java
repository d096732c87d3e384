package io.memberpulse.churn.stream.out;

import io.memberpulse.churn.ChurnScoredMapper;
import io.memberpulse.churn.domain.ChurnScore;
import io.memberpulse.proto.churn.v1.ChurnScored;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/** ChurnScored on churn.scores, keyed by member id. */
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
}
