package io.memberpulse.proto.kafka;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.reactive.messaging.kafka.DeserializationFailureHandler;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * How every service consumes a batch of facts from Kafka: a record that is unreadable (a null payload
 * from the deserialization-failure handler) or unusable (a reason from {@code problemOf}) goes alone to
 * the dead-letter topic with that reason; the rest are recorded together, in the batch's order, failures retried
 * with backoff (recording is idempotent) for {@link #RETRY_FOR}. A batch that still fails is then recorded one record
 * at a time, in its order, each tried a few times ({@link #SINGLE_ATTEMPTS}): those recorded are acknowledged with the
 * batch, and only those that fail alone are dead-lettered, each with its own failure as the reason (typically the one
 * record that made every write of the batch throw). When {@link #ISOLATION_STOPS_AFTER} records in a row fail alone,
 * it is the store that fails, not a record: the records not tried yet are dead-lettered untried, with that failure,
 * as a failing batch always was; so are those not tried yet after {@link #ISOLATION_FOR}, saying so. A batch whose writes were done but whose output (the second stage of
 * {@link #consumeInStages}) fails is dead-lettered whole: its output's store fails, not one record. On a topic
 * whose producer withdraws a key with a tombstone (churn.scores), {@link #consumeMapped(KafkaRecordBatch, Function,
 * Function, Function, Logger, String)} records the tombstone as a withdrawal instead.
 */
public final class RecordBatches {
    /**
     * How long a batch that fails to record is retried before its records are tried one at a time (and those that fail
     * alone dead-lettered): longer than a database failover or
     * restart takes (a minute or two), so valid facts are not set aside because their store was away for a while
     * (nothing replays a dead-letter topic by itself). A batch that fails for a reason that does not pass holds its
     * partition that long.
     */
    public static final Duration RETRY_FOR = Duration.ofMinutes(5);
    /** The first and the longest wait between two tries of a failing batch. */
    private static final Duration RETRY_BACKOFF = Duration.ofMillis(500);
    private static final Duration RETRY_BACKOFF_MAX = Duration.ofSeconds(10);

    /**
     * A batch that fails for {@link #RETRY_FOR} is recorded one record at a time, so that the one record that makes the
     * writes throw is dead-lettered alone and not the batch's other (up to 1,999) facts. Each record's writes are tried
     * this many times, backing off from {@link #SINGLE_BACKOFF}: a few seconds at most, not minutes per record.
     */
    static final int SINGLE_ATTEMPTS = 3;
    static final Duration SINGLE_BACKOFF = Duration.ofMillis(200);
    /**
     * Records failing alone in a row after which the rest of the batch is dead-lettered without being tried: a record
     * that fails alone is poison, but this many in a row is the store failing (down, refusing every write), and trying
     * each of 2,000 records would hold the partition for hours.
     */
    static final int ISOLATION_STOPS_AFTER = 3;
    /**
     * How long recording a failed batch one record at a time may take in all, after which the records not tried yet are
     * dead-lettered untried, saying so: a batch alternating records that fail alone with records that do is never cut
     * short by {@link #ISOLATION_STOPS_AFTER}, and 2,000 of them took about 25 minutes. The batch has then been held
     * {@link #RETRY_FOR} already: with this it stays within the 10 minutes each service lets a record go unacknowledged
     * ({@code throttled.unprocessed-record-max-age.ms}; past it the channel fails, the pod restarts and the batch comes
     * again, to be retried from the start), leaving two minutes for its output and its dead-lettering.
     */
    static final Duration ISOLATION_FOR = Duration.ofMinutes(3);

    /**
     * How long one send of a service's output (churn's scores and tombstones on churn.scores, rfm's segment changes on
     * member-segments, a page of its outbox at a time) may take, at most, before it counts as failed: the producer
     * fails a send within its own bounds (each output's max.block.ms 10 s, request.timeout.ms 20 s,
     * delivery.timeout.ms 30 s in application.properties), but a send may wait behind earlier ones in the channel. A batch is acknowledged only once its output is done, and
     * a record may go unacknowledged for 10 minutes ({@code throttled.unprocessed-record-max-age.ms}) before the channel
     * fails and the pod is restarted: a few sends this long stay well within that.
     */
    public static final Duration OUTPUT_SEND_TIMEOUT = Duration.ofSeconds(60);

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
     * whose writes keep failing is recorded one record at a time, a record counting as recorded once its second stage
     * has completed too (the next record waits for it); a batch whose output fails is dead-lettered.
     */
    public static <T> Uni<Void> consumeInStages(KafkaRecordBatch<String, T> batch, Function<T, String> problemOf,
            Function<List<T>, Uni<CompletionStage<Void>>> record, Logger log, String what) {
        return consumeInStages(batch, problemOf, record, log, what, RETRY_FOR, ISOLATION_FOR);
    }

    /**
     * As the public one, the batch retried for {@code retryFor} instead of {@link #RETRY_FOR} and recorded one record
     * at a time for at most {@code isolationFor} instead of {@link #ISOLATION_FOR}: for tests.
     */
    static <T> Uni<Void> consumeInStages(KafkaRecordBatch<String, T> batch, Function<T, String> problemOf,
            Function<List<T>, Uni<CompletionStage<Void>>> record, Logger log, String what, Duration retryFor,
            Duration isolationFor) {
        return sortAndRecord(batch, readable(payload -> {
            String problem;
            try {
                problem = problemOf.apply(payload);
            } catch (RuntimeException e) {
                // a check that throws refuses its record, as mapped() does: thrown out of here it would fail the
                // stream, and the record, never acknowledged, would fail it again after every restart
                problem = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
            }
            return problem == null ? Sorted.usable(payload) : Sorted.refused(problem);
        }, what), record, log, what, retryFor, isolationFor);
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
        return sortAndRecord(batch, sort, record, log, what, RETRY_FOR, ISOLATION_FOR);
    }

    private static <T, D> Uni<Void> sortAndRecord(KafkaRecordBatch<String, T> batch,
            Function<KafkaRecord<String, T>, Sorted<D>> sort,
            Function<List<D>, Uni<CompletionStage<Void>>> record, Logger log, String what, Duration retryFor,
            Duration isolationFor) {
        List<KafkaRecord<String, T>> records = batch.getRecords();
        // Why each record is dead-lettered, by its place in the batch (null: recorded).
        Throwable[] deadLetterReasons = new Throwable[records.size()];
        List<D> usable = new ArrayList<>();
        List<Integer> usableAt = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            Sorted<D> sorted = sort.apply(records.get(i));
            if (sorted.problem() == null) {
                usable.add(sorted.value());
                usableAt.add(i);
            } else {
                deadLetterReasons[i] = new IllegalArgumentException(sorted.problem());
            }
        }
        return retried(Uni.createFrom().deferred(() -> record.apply(usable)), retryFor)
                .onItemOrFailure().transformToUni((output, failure) -> {
                    if (failure != null) {
                        log.warnf(failure, "batch of %d %s records not recorded after retrying for %s: recording them"
                                + " one at a time", records.size(), what, retryFor);
                        return recordOneByOne(usable, usableAt, record, deadLetterReasons, log, what, isolationFor)
                                .chain(() -> acknowledge(batch, deadLetterReasons, log, what));
                    }
                    Uni<Void> acknowledged = Uni.createFrom().completionStage(output)
                            .onItemOrFailure().transformToUni((ignored, outputFailure) -> outputFailure != null
                                    ? deadLetter(batch, outputFailure, log, what)
                                    : acknowledge(batch, deadLetterReasons, log, what));
                    if (output.toCompletableFuture().isDone()) {
                        return acknowledged;
                    }
                    acknowledged.subscribe().with(ignored -> { }, ackFailure -> log.errorf(ackFailure,
                            "batch of %d %s records not acknowledged", records.size(), what));
                    return Uni.createFrom().voidItem();
                });
    }

    /**
     * Records the usable records of a batch that failed as a whole one at a time, in the batch's order, each counting
     * as recorded once its output (the recording's second stage) has completed too: the writes of each are tried
     * {@link #SINGLE_ATTEMPTS} times, an output that fails is final (an output retries as its owner sees fit). The
     * reason a record fails alone is left in {@code deadLetterReasons}. After {@link #ISOLATION_STOPS_AFTER} failures in
     * a row it is not one record failing but the store: the records not tried yet get the last failure as their reason
     * without being tried. Once {@code isolationFor} has passed, the records not tried yet are dead-lettered untried
     * with a reason that says so (a record being tried then is tried to its end).
     */
    private static <D> Uni<Void> recordOneByOne(List<D> usable, List<Integer> usableAt,
            Function<List<D>, Uni<CompletionStage<Void>>> record, Throwable[] deadLetterReasons, Logger log,
            String what, Duration isolationFor) {
        Isolation isolation = new Isolation(System.nanoTime() + isolationFor.toNanos());
        return Multi.createFrom().range(0, usable.size()).onItem().transformToUniAndConcatenate(i -> {
            int at = usableAt.get(i);
            if (isolation.lastFailure != null && isolation.failedInARow >= ISOLATION_STOPS_AFTER) {
                deadLetterReasons[at] = isolation.lastFailure;
                return Uni.createFrom().voidItem();
            }
            if (isolation.outOfTime == null && System.nanoTime() - isolation.deadline >= 0) {
                isolation.outOfTime = new TimeoutException("not tried: its batch failed, and recording the batch"
                        + " one record at a time ran past " + isolationFor.toSeconds() + " s; set aside untried so"
                        + " that the partition moves on, it may well be good: send it again from the dead-letter topic");
                log.errorf("%s records of a failed batch recorded one at a time for %s: the batch's %d records not"
                        + " tried yet are dead-lettered untried", what, isolationFor, usable.size() - i);
            }
            if (isolation.outOfTime != null) {
                deadLetterReasons[at] = isolation.outOfTime;
                return Uni.createFrom().voidItem();
            }
            return Uni.createFrom().deferred(() -> record.apply(Collections.singletonList(usable.get(i))))
                    .onFailure().retry().withBackOff(SINGLE_BACKOFF, SINGLE_BACKOFF.multipliedBy(5))
                    .atMost(SINGLE_ATTEMPTS - 1)
                    .chain(output -> Uni.createFrom().completionStage(output))
                    .onItemOrFailure().transform((ignored, failure) -> {
                        if (failure == null) {
                            isolation.failedInARow = 0;
                            return null;
                        }
                        deadLetterReasons[at] = failure;
                        isolation.lastFailure = failure;
                        if (++isolation.failedInARow == ISOLATION_STOPS_AFTER) {
                            log.errorf(failure, "%d %s records in a row not recorded alone either: their store is"
                                    + " failing, the batch's %d records not tried yet are dead-lettered untried",
                                    ISOLATION_STOPS_AFTER, what, usable.size() - i - 1);
                        }
                        return null;
                    });
        }).collect().last().replaceWithVoid();
    }

    /** Where recording a failed batch one record at a time stands (its steps run one after the other). */
    private static final class Isolation {
        /** When the records not tried yet stop being tried ({@link System#nanoTime()}). */
        final long deadline;
        int failedInARow;
        Throwable lastFailure;
        /** The reason of the records not tried because the deadline passed; null before it. */
        Throwable outOfTime;

        Isolation(long deadline) {
            this.deadline = deadline;
        }
    }

    /** Work retried as every consumer retries a failing batch: backing off from 0.5 s to 10 s, for {@link #RETRY_FOR}. */
    public static <T> Uni<T> retried(Uni<T> work) {
        return retried(work, RETRY_FOR);
    }

    /**
     * As {@link #retried(Uni)}, retrying only the failures {@code retriedFailures} accepts (the others fail at once,
     * for the caller to handle), for {@code retryFor} counted from each subscription rather than from when the Uni was
     * built (Mutiny's {@code expireIn} fixes its deadline then): a caller that waits out some other failure and
     * subscribes again gets the whole window again.
     */
    public static <T> Uni<T> retried(Uni<T> work, Predicate<? super Throwable> retriedFailures, Duration retryFor) {
        return Uni.createFrom().deferred(() -> work.onFailure(retriedFailures).retry()
                .withBackOff(RETRY_BACKOFF, RETRY_BACKOFF_MAX).expireIn(retryFor.toMillis()));
    }

    private static <T> Uni<T> retried(Uni<T> work, Duration retryFor) {
        return work.onFailure().retry().withBackOff(RETRY_BACKOFF, RETRY_BACKOFF_MAX).expireIn(retryFor.toMillis());
    }

    /**
     * Dead-letters a batch whose writes were done but whose output (caching, publishing) failed after the output's own
     * retries: its store is failing, not one record, so its records are not tried one at a time.
     */
    private static <T> Uni<Void> deadLetter(KafkaRecordBatch<String, T> batch, Throwable failure, Logger log,
            String what) {
        log.errorf(failure, "batch of %d %s records written, its output failed: dead-lettered",
                batch.getRecords().size(), what);
        return Uni.createFrom().completionStage(batch.nack(failure));
    }

    /** Dead-letters each record that has a reason, in the batch's order, then acknowledges the batch. */
    private static <T> Uni<Void> acknowledge(KafkaRecordBatch<String, T> batch, Throwable[] deadLetterReasons,
            Logger log, String what) {
        List<KafkaRecord<String, T>> records = batch.getRecords();
        return Multi.createFrom().range(0, records.size()).filter(i -> deadLetterReasons[i] != null)
                .onItem().transformToUniAndConcatenate(i -> {
                    KafkaRecord<String, T> one = records.get(i);
                    log.warnf("%s record of key %s on %s-%d dead-lettered: %s", what, one.getKey(), one.getTopic(),
                            one.getPartition(), deadLetterReasons[i].getMessage());
                    return Uni.createFrom().completionStage(one.nack(deadLetterReasons[i]));
                })
                .collect().last()
                .chain(() -> Uni.createFrom().completionStage(batch.ack()));
    }
}
