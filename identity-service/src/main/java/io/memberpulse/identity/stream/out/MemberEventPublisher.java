package io.memberpulse.identity.stream.out;

import io.memberpulse.proto.identity.v1.MemberEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/**
 * Publishes accepted events to member.events, keyed by member id so each member's events stay in order;
 * stock-outs carry an empty member id and are keyed by store.
 */
@ApplicationScoped
public class MemberEventPublisher {
    public static final String CHANNEL = "member-events";

    private final MutinyEmitter<MemberEvent> emitter;

    public MemberEventPublisher(@Channel(CHANNEL) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 50_000)
            MutinyEmitter<MemberEvent> emitter) {
        this.emitter = emitter;
    }

    /** Completes when the broker acknowledged every event. */
    public Uni<Void> publish(List<MemberEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Uni<Void>> sends = events.stream()
                .map(event -> emitter.sendMessage(Message.of(event).addMetadata(
                        OutgoingKafkaRecordMetadata.<String>builder().withKey(keyOf(event)).build())))
                .toList();
        return Uni.join().all(sends).andFailFast().replaceWithVoid();
    }

    /** The member id; a stock-out, which has no member, is keyed by its store so a store's stay in order. */
    static String keyOf(MemberEvent event) {
        return event.getMemberId().isEmpty() ? event.getEvent().getStoreId() : event.getMemberId();
    }
}
