package io.memberpulse.rfm.stream.in;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * How this service consumes a batch of facts: unreadable records (a null payload from the
 * deserialization-failure handler) go alone to the dead-letter topic; storage failures are retried
 * with backoff (recording is idempotent) and only a batch that keeps failing is dead-lettered.
 */
final class RecordBatches {
    private static final int RETRIES = 5;

    private RecordBatches() {
    }

    /** Records the batch and acknowledges it once recorded. */
    static <T> Uni<Void> consume(KafkaRecordBatch<String, T> batch, Function<List<T>, Uni<Void>> record, Logger log,
            String what) {
        return consumeInStages(batch, payloads -> record.apply(payloads)
                .replaceWith(() -> CompletableFuture.<Void>completedFuture(null)), log, what);
    }

    /**
     * Records the batch in two stages: the returned Uni completes when the first (the writes) has,
     * so the next batch can start, and the batch is acknowledged (its offsets may be committed) only
     * when the second, the stage the first returned (caching, publishing), completes as well. A batch
     * whose writes or output keep failing is dead-lettered.
     */
    static <T> Uni<Void> consumeInStages(KafkaRecordBatch<String, T> batch,
            Function<List<T>, Uni<CompletionStage<Void>>> record, Logger log, String what) {
        List<T> payloads = new ArrayList<>();
        List<KafkaRecord<String, T>> unreadable = new ArrayList<>();
        for (KafkaRecord<String, T> one : batch) {
            if (one.getPayload() == null) {
                unreadable.add(one);
            } else {
                payloads.add(one.getPayload());
            }
        }
        return Uni.createFrom().deferred(() -> record.apply(payloads))
                .onFailure().retry().withBackOff(Duration.ofMillis(500), Duration.ofSeconds(10)).atMost(RETRIES)
                .onItemOrFailure().transformToUni((output, failure) -> {
                    if (failure != null) {
                        return deadLetter(batch, failure, log, what);
                    }
                    Uni<Void> acknowledged = Uni.createFrom().completionStage(output)
                            .onItemOrFailure().transformToUni((ignored, outputFailure) -> outputFailure != null
                                    ? deadLetter(batch, outputFailure, log, what)
                                    : acknowledge(batch, unreadable, log, what));
                    if (output.toCompletableFuture().isDone()) {
                        return acknowledged;
                    }
                    acknowledged.subscribe().with(ignored -> { }, ackFailure -> log.errorf(ackFailure,
                            "batch of %d %s not acknowledged", batch.getRecords().size(), what));
                    return Uni.createFrom().voidItem();
                });
    }

    private static <T> Uni<Void> deadLetter(KafkaRecordBatch<String, T> batch, Throwable failure, Logger log, String what) {
        log.errorf(failure, "batch of %d %s not recorded after %d retries, dead-lettered", batch.getRecords().size(), what,
                RETRIES);
        return Uni.createFrom().completionStage(batch.nack(failure));
    }

    private static <T> Uni<Void> acknowledge(KafkaRecordBatch<String, T> batch, List<KafkaRecord<String, T>> unreadable,
            Logger log, String what) {
        Uni<Void> sent = Uni.createFrom().voidItem();
        for (KafkaRecord<String, T> one : unreadable) {
            log.warnf("unreadable %s record of key %s dead-lettered", what, one.getKey());
            sent = sent.chain(() -> Uni.createFrom().completionStage(
                    one.nack(new IllegalArgumentException("not a readable " + what + " record"))));
        }
        return sent.chain(() -> Uni.createFrom().completionStage(batch.ack()));
    }
}
