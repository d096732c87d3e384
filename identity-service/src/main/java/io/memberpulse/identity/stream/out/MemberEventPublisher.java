package io.memberpulse.identity.stream.out;

import io.memberpulse.proto.identity.v1.MemberEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;

/**
 * Publishes accepted events to member.events, keyed by member id so each member's events stay in order;
 * stock-outs carry an empty member id and are keyed by store.
 */
@ApplicationScoped
public class MemberEventPublisher {
    public static final String CHANNEL = "member-events";

    private final KafkaClientService kafka;
    private final String topic;

    /**
     * @param channel declares the outgoing channel, whose Kafka producer (configured under
     *                mp.messaging.outgoing.member-events) this publisher sends whole batches with
     */
    public MemberEventPublisher(@Channel(CHANNEL) MutinyEmitter<MemberEvent> channel, KafkaClientService kafka,
            @ConfigProperty(name = "mp.messaging.outgoing.member-events.topic") String topic) {
        this.kafka = kafka;
        this.topic = topic;
    }

    /**
     * Sends the events in their order and completes when the broker acknowledged every one (fails on
     * the first that it did not). The batch is handed to the producer in one go, on the channel's
     * sending thread, rather than as one message per event through the emitter: that per-message
     * path cost more CPU than the rest of an import's publishing.
     */
    public Uni<Void> publish(List<MemberEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        CompletableFuture<Void> acknowledged = new CompletableFuture<>();
        AtomicInteger waiting = new AtomicInteger(events.size());
        Callback callback = (metadata, failure) -> {
            if (failure != null) {
                acknowledged.completeExceptionally(failure);
            } else if (waiting.decrementAndGet() == 0) {
                acknowledged.complete(null);
            }
        };
        return kafka.<String, MemberEvent>getProducer(CHANNEL)
                .runOnSendingThread(producer -> {
                    for (MemberEvent event : events) {
                        producer.send(new ProducerRecord<>(topic, keyOf(event), event), callback);
                    }
                })
                .chain(() -> Uni.createFrom().completionStage(acknowledged));
    }

    /** The member id; a stock-out, which has no member, is keyed by its store so a store's stay in order. */
    static String keyOf(MemberEvent event) {
        return event.getMemberId().isEmpty() ? event.getEvent().getStoreId() : event.getMemberId();
    }
}
