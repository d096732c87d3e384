package io.memberpulse.identity.stream.out;

import io.memberpulse.proto.identity.v1.MemberEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
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
    private final long maxBlockNanos;

    /**
     * @param channel    declares the outgoing channel, whose Kafka producer (configured under
     *                   mp.messaging.outgoing.member-events) this publisher sends whole batches with
     * @param maxBlockMs the producer's max.block.ms: also how long a batch may take to be handed over
     */
    public MemberEventPublisher(@Channel(CHANNEL) MutinyEmitter<MemberEvent> channel, KafkaClientService kafka,
            @ConfigProperty(name = "mp.messaging.outgoing.member-events.topic") String topic,
            @ConfigProperty(name = "mp.messaging.outgoing.member-events.max.block.ms") long maxBlockMs) {
        this.kafka = kafka;
        this.topic = topic;
        this.maxBlockNanos = Duration.ofMillis(maxBlockMs).toNanos();
    }

    /**
     * Sends the events in their order and completes when the broker acknowledged every one (fails on
     * the first that it did not). The batch is handed to the producer in one go, on the channel's
     * sending thread, rather than as one message per event through the emitter: that per-message
     * path cost more CPU than the rest of an import's publishing.
     * <p>
     * Each send may block up to max.block.ms (buffer full under a slow broker), so a batch of thousands could be handed
     * over for far longer: the rest of the batch is not handed over once one record failed or the batch took longer
     * than max.block.ms, and the publication fails (the relay sends the batch again). So every record of a batch is
     * handed over within twice max.block.ms of its start, which {@code UnpublishedEventRelay.grace} waits out.
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
                    long started = System.nanoTime();
                    for (MemberEvent event : events) {
                        if (acknowledged.isDone() || System.nanoTime() - started > maxBlockNanos) {
                            acknowledged.completeExceptionally(new TimeoutException(
                                    "the batch was not handed to the producer within max.block.ms"));
                            return;
                        }
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
