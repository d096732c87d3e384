package io.memberpulse.proto.kafka;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.reactive.messaging.kafka.DeserializationFailureHandler;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * How every service consumes a batch of facts from Kafka: a record that is unreadable (a null payload
 * from the deserialization-failure handler) or unusable (a reason from {@code problemOf}) goes alone to
 * the dead-letter topic with that reason; the rest are recorded together, in the batch's order, failures retried
 * with backoff (recording is idempotent), and only a batch that keeps failing is dead-lettered whole. On a topic
 * whose producer withdraws a key with a tombstone (churn.scores), {@link #consumeMapped(KafkaRecordBatch, Function,
 * Function, Function, Logger, String)} records the tombstone as a withdrawal instead.
 */
public final class RecordBatches {
    /**
     * How long a batch that fails to record is retried before it is dead-lettered: longer than a database failover or
     * restart takes (a minute or two), so valid facts are not set aside because their store was away for a while
     * (nothing replays a dead-letter topic by itself). A batch that fails for a reason that does not pass holds its
     * partition that long.
     */
    public static final Duration RETRY_FOR = Duration.ofMinutes(5);

    private RecordBatches() {
    }

    /** Records the batch (every readable record) and acknowledges it once recorded. */
    public static <T> Uni<Void> consume(KafkaRecordBatch<String, T> batch, Function<List<T>, Uni<Void>> record,
            Logger log, String what) {
        return consume(batch, payload -> null, record, log, what);
    }

    /** Records the usable records and acknowledges the batch once recorded; {@code problemOf} null = usable. */
    public static <T> Uni<Void> consume(KafkaRecordBatch<String, T> batch, Function<T, String> problemOf,
            Function<List<T>, Uni<Void>> record, Logger log, String what) {
        return consumeInStages(batch, problemOf, payloads -> record.apply(payloads)
                .replaceWith(() -> CompletableFuture.<Void>completedFuture(null)), log, what);
    }

    /**
     * Records the batch's records as domain values, each mapped once: a record whose mapping throws goes alone to the
     * dead-letter topic with the exception's message (the rule it breaks) as the reason.
     */
    public static <T, D> Uni<Void> consumeMapped(KafkaRecordBatch<String, T> batch, Function<T, D> toDomain,
            Function<List<D>, Uni<Void>> record, Logger log, String what) {
        return sortAndRecord(batch, readable(mapped(toDomain), what),
                payloads -> record.apply(payloads).replaceWith(() -> CompletableFuture.<Void>completedFuture(null)), log, what);
    }

    /**
     * As {@link #consumeMapped(KafkaRecordBatch, Function, Function, Logger, String)}, on a topic whose producer
     * withdraws a key with a tombstone (the same key, a null value): a tombstone is recorded as
     * {@code withdrawalOf(key)}, in its place in the batch, so that the recording can keep the last record of each key
     * (a withdrawal followed by a new value keeps the value). A tombstone without a key, or whose withdrawal throws, is
     * dead-lettered with the reason; a value that could not be read (the failure handler's null) still is.
     */
    public static <T, D> Uni<Void> consumeMapped(KafkaRecordBatch<String, T> batch, Function<T, D> toDomain,
            Function<String, D> withdrawalOf, Function<List<D>, Uni<Void>> record, Logger log, String what) {
        Function<KafkaRecord<String, T>, Sorted<D>> values = readable(mapped(toDomain), what);
        return sortAndRecord(batch, one -> {
            if (!isTombstone(one)) {
                return values.apply(one);
            }
            if (one.getKey() == null || one.getKey().isBlank()) {
                return Sorted.refused("key: a tombstone withdraws a key, and has none");
            }
            return mapped(withdrawalOf).apply(one.getKey());
        }, payloads -> record.apply(payloads).replaceWith(() -> CompletableFuture.<Void>completedFuture(null)), log, what);
    }

    /**
     * A tombstone: no value, and not because the value could not be read (the deserialization-failure handler gives
     * null too, and leaves its reason in the record's headers).
     */
    public static boolean isTombstone(KafkaRecord<?, ?> record) {
        return record.getPayload() == null && (record.getHeaders() == null
                || record.getHeaders().lastHeader(DeserializationFailureHandler.DESERIALIZATION_FAILURE_REASON) == null);
    }

    /** A mapping to domain values whose exception (the rule a record breaks) refuses the record with its message. */
    private static <T, D> Function<T, Sorted<D>> mapped(Function<T, D> toDomain) {
        return payload -> {
            try {
                return Sorted.usable(toDomain.apply(payload));
            } catch (RuntimeException e) {
                return Sorted.refused(e.getMessage());
            }
        };
    }

    /** Sorts a record by its payload; a record without one (unreadable) is refused. */
    private static <T, D> Function<KafkaRecord<String, T>, Sorted<D>> readable(Function<T, Sorted<D>> sort, String what) {
        return one -> one.getPayload() == null ? Sorted.refused("not a readable " + what + " record")
                : sort.apply(one.getPayload());
    }

    /** Blocking recording (JDBC-style work, a model's scoring) as the Uni the consumers take, on a worker thread. */
    public static <T> Function<List<T>, Uni<Void>> onWorkerThread(Consumer<List<T>> record) {
        return payloads -> Uni.createFrom().item(() -> {
            record.accept(payloads);
            return (Void) null;
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /**
     * Records the batch in two stages: the returned Uni completes when the first (the writes) has,
     * so the next batch can start, and the batch is acknowledged (its offsets may be committed) only
     * when the second, the stage the first returned (caching, publishing), completes as well. A batch
     * whose writes or output keep failing is dead-lettered.
     */
    public static <T> Uni<Void> consumeInStages(KafkaRecordBatch<String, T> batch, Function<T, String> problemOf,
            Function<List<T>, Uni<CompletionStage<Void>>> record, Logger log, String what) {
        return sortAndRecord(batch, readable(payload -> {
            String problem = problemOf.apply(payload);
            return problem == null ? Sorted.usable(payload) : Sorted.refused(problem);
        }, what), record, log, what);
    }

    /** A record's payload as recorded (its domain value), or the reason it is refused. */
    private record Sorted<D>(D value, String problem) {
        static <D> Sorted<D> usable(D value) {
            return new Sorted<>(value, null);
        }

        static <D> Sorted<D> refused(String problem) {
            return new Sorted<>(null, problem == null ? "refused" : problem);
        }
    }

    private static <T, D> Uni<Void> sortAndRecord(KafkaRecordBatch<String, T> batch,
            Function<KafkaRecord<String, T>, Sorted<D>> sort,
            Function<List<D>, Uni<CompletionStage<Void>>> record, Logger log, String what) {
        List<D> usable = new ArrayList<>();
        List<KafkaRecord<String, T>> poison = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (KafkaRecord<String, T> one : batch) {
            Sorted<D> sorted = sort.apply(one);
            if (sorted.problem() == null) {
                usable.add(sorted.value());
            } else {
                poison.add(one);
                reasons.add(sorted.problem());
            }
        }
        return retried(Uni.createFrom().deferred(() -> record.apply(usable)))
                .onItemOrFailure().transformToUni((output, failure) -> {
                    if (failure != null) {
                        return deadLetter(batch, failure, log, what);
                    }
                    Uni<Void> acknowledged = Uni.createFrom().completionStage(output)
                            .onItemOrFailure().transformToUni((ignored, outputFailure) -> outputFailure != null
                                    ? deadLetter(batch, outputFailure, log, what)
                                    : acknowledge(batch, poison, reasons, log, what));
                    if (output.toCompletableFuture().isDone()) {
                        return acknowledged;
                    }
                    acknowledged.subscribe().with(ignored -> { }, ackFailure -> log.errorf(ackFailure,
                            "batch of %d %s records not acknowledged", batch.getRecords().size(), what));
                    return Uni.createFrom().voidItem();
                });
    }

    /** Work retried as every consumer retries a failing batch: backing off from 0.5 s to 10 s, for {@link #RETRY_FOR}. */
    public static <T> Uni<T> retried(Uni<T> work) {
        return work.onFailure().retry().withBackOff(Duration.ofMillis(500), Duration.ofSeconds(10))
                .expireIn(RETRY_FOR.toMillis());
    }

    private static <T> Uni<Void> deadLetter(KafkaRecordBatch<String, T> batch, Throwable failure, Logger log,
            String what) {
        log.errorf(failure, "batch of %d %s records not recorded after retrying for %s, dead-lettered",
                batch.getRecords().size(), what, RETRY_FOR);
        return Uni.createFrom().completionStage(batch.nack(failure));
    }

    private static <T> Uni<Void> acknowledge(KafkaRecordBatch<String, T> batch, List<KafkaRecord<String, T>> poison,
            List<String> reasons, Logger log, String what) {
        Uni<Void> sent = Uni.createFrom().voidItem();
        for (int i = 0; i < poison.size(); i++) {
            KafkaRecord<String, T> one = poison.get(i);
            String reason = reasons.get(i);
            log.warnf("%s record of key %s on %s-%d dead-lettered: %s", what, one.getKey(), one.getTopic(),
                    one.getPartition(), reason);
            sent = sent.chain(() -> Uni.createFrom().completionStage(one.nack(new IllegalArgumentException(reason))));
        }
        return sent.chain(() -> Uni.createFrom().completionStage(batch.ack()));
    }
}
