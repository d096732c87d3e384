package io.memberpulse.identity.stream.out;

import io.memberpulse.proto.identity.v1.MemberIdentityChange;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/**
 * Publishes merges and splits to member.merges, keyed by the member whose state moves (the absorbed
 * member of a merge, the original member of a split), so downstream services re-key their state.
 */
@ApplicationScoped
public class MemberMergesPublisher {
    public static final String CHANNEL = "member-merges";

    private final MutinyEmitter<MemberIdentityChange> emitter;

    public MemberMergesPublisher(@Channel(CHANNEL) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 10_000)
            MutinyEmitter<MemberIdentityChange> emitter) {
        this.emitter = emitter;
    }

    /** A change and the member key it is published under. */
    public record KeyedChange(String memberKey, MemberIdentityChange change) {
    }

    /** Completes when the broker acknowledged every change. */
    public Uni<Void> publish(List<KeyedChange> changes) {
        if (changes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Uni<Void>> sends = changes.stream()
                .map(c -> emitter.sendMessage(Message.of(c.change()).addMetadata(
                        OutgoingKafkaRecordMetadata.<String>builder().withKey(c.memberKey()).build())))
                .toList();
        return Uni.join().all(sends).andFailFast().replaceWithVoid();
    }
}
