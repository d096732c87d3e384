package io.memberpulse.proto.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.IncomingKafkaRecord;
import io.smallrye.reactive.messaging.kafka.IncomingKafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.commit.KafkaCommitHandler;
import io.smallrye.reactive.messaging.kafka.fault.KafkaFailureHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * A batch whose recording keeps failing: the connector's own batch (IncomingKafkaRecordBatch) with a commit handler and a
 * failure handler (the dead-letter queue's place) that remember what they were given.
 */
class RecordBatchesTest {
    private static final Logger LOG = Logger.getLogger(RecordBatchesTest.class);
    private static final String TOPIC = "member.events";
    /** The batch is retried this long before its records are tried alone: one attempt. */
    private static final Duration NO_BATCH_RETRY = Duration.ofMillis(1);
    private static final Duration AWAIT = Duration.ofSeconds(60);
    /** Records are tried alone for longer than any of these tests takes. */
    private static final Duration NO_DEADLINE = Duration.ofMinutes(10);

    private final List<Long> committed = new CopyOnWriteArrayList<>();
    private final Map<String, Throwable> deadLettered = new LinkedHashMap<>();

    @Test
    void aRecordWhoseWriteAlwaysFailsIsDeadLetteredAloneAndTheRestRecordedInOrder() {
        KafkaRecordBatch<String, String> batch = batchOf("e1", "e2", "e3", "e4", "e5");
        List<String> written = new CopyOnWriteArrayList<>();
        List<String> output = new CopyOnWriteArrayList<>();
        Function<List<String>, Uni<CompletionStage<Void>>> record = events -> Uni.createFrom().item(() -> {
            if (events.contains("e3")) {
                throw new IllegalStateException("e3 breaks a constraint");
            }
            written.addAll(events);
            return CompletableFuture.runAsync(() -> output.addAll(events));
        });

        RecordBatches.consumeInStages(batch, event -> null, record, LOG, "member event", NO_BATCH_RETRY, NO_DEADLINE)
                .await().atMost(AWAIT);

        assertThat(written).containsExactly("e1", "e2", "e4", "e5");
        assertThat(output).containsExactly("e1", "e2", "e4", "e5");
        assertThat(deadLettered).containsOnlyKeys("e3");
        assertThat(deadLettered.get("e3")).hasMessage("e3 breaks a constraint");
        assertThat(committed).as("the batch is acknowledged: its last offset committed").containsExactly(4L);
    }

    @Test
    void aRecordWhoseCheckThrowsIsDeadLetteredAloneAndTheRestRecorded() {
        KafkaRecordBatch<String, String> batch = batchOf("e1", "e2", "e3");
        List<String> written = new CopyOnWriteArrayList<>();
        Function<List<String>, Uni<CompletionStage<Void>>> record = events -> Uni.createFrom().item(() -> {
            written.addAll(events);
            return CompletableFuture.completedFuture(null);
        });
        Function<String, String> problemOf = event -> {
            if (event.equals("e2")) {
                throw new java.time.DateTimeException("Instant exceeds minimum or maximum instant");
            }
            return null;
        };

        RecordBatches.consumeInStages(batch, problemOf, record, LOG, "member event", NO_BATCH_RETRY, NO_DEADLINE)
                .await().atMost(AWAIT);

        assertThat(written).containsExactly("e1", "e3");
        assertThat(deadLettered).containsOnlyKeys("e2");
        assertThat(deadLettered.get("e2")).hasMessageContaining("Instant exceeds");
        assertThat(committed).as("the batch is acknowledged").containsExactly(2L);
    }

    @Test
    void aRecordAloneCountsAsRecordedOnlyOnceItsOutputCompletes() {
        KafkaRecordBatch<String, String> batch = batchOf("e1", "e2", "e3");
        List<String> output = new CopyOnWriteArrayList<>();
        Function<List<String>, Uni<CompletionStage<Void>>> record = events -> Uni.createFrom().item(() -> {
            if (events.contains("e2")) {
                throw new IllegalStateException("e2 breaks a constraint");
            }
            return events.equals(List.of("e1"))
                    ? CompletableFuture.<Void>failedFuture(new IllegalStateException("e1 not cached"))
                    : CompletableFuture.runAsync(() -> output.addAll(events));
        });

        RecordBatches.consumeInStages(batch, event -> null, record, LOG, "member event", NO_BATCH_RETRY, NO_DEADLINE)
                .await().atMost(AWAIT);

        assertThat(output).containsExactly("e3");
        assertThat(deadLettered).containsOnlyKeys("e1", "e2");
        assertThat(deadLettered.get("e1")).hasMessage("e1 not cached");
        assertThat(deadLettered.get("e2")).hasMessage("e2 breaks a constraint");
        assertThat(committed).containsExactly(2L);
    }

    @Test
    void aStoreThatIsDownDeadLettersEveryRecordWithoutTryingEachAlone() {
        List<String> events = IntStream.rangeClosed(1, 8).mapToObj(i -> "e" + i).toList();
        KafkaRecordBatch<String, String> batch = batchOf(events.toArray(String[]::new));
        List<List<String>> attempts = new CopyOnWriteArrayList<>();
        Function<List<String>, Uni<CompletionStage<Void>>> record = payloads -> Uni.createFrom().item(() -> {
            attempts.add(payloads);
            throw new IllegalStateException("connection refused");
        });

        RecordBatches.consumeInStages(batch, event -> null, record, LOG, "member event", NO_BATCH_RETRY, NO_DEADLINE)
                .await().atMost(AWAIT);

        List<String> triedAlone = attempts.stream().filter(one -> one.size() == 1).map(one -> one.get(0))
                .distinct().toList();
        assertThat(triedAlone).containsExactlyElementsOf(events.subList(0, RecordBatches.ISOLATION_STOPS_AFTER));
        assertThat(deadLettered).containsOnlyKeys(events);
        assertThat(deadLettered.values()).allSatisfy(reason -> assertThat(reason).hasMessage("connection refused"));
    }

    /**
     * Records failing alone and records recorded alone, alternating, never make {@link RecordBatches#ISOLATION_STOPS_AFTER}
     * in a row: each failing one is tried 3 times, backing off, so 15 of them take several seconds, against a
     * deadline of one here (of ISOLATION_FOR's 3 minutes in a service, where 2,000 such records took 25).
     */
    @Test
    void recordsNotTriedAloneByTheDeadlineAreDeadLetteredUntriedSayingSo() {
        List<String> events = IntStream.rangeClosed(1, 30).mapToObj(i -> (i % 2 == 1 ? "bad" : "good") + i).toList();
        KafkaRecordBatch<String, String> batch = batchOf(events.toArray(String[]::new));
        List<String> triedAlone = new CopyOnWriteArrayList<>();
        List<String> written = new CopyOnWriteArrayList<>();
        Function<List<String>, Uni<CompletionStage<Void>>> record = payloads -> Uni.createFrom().item(() -> {
            if (payloads.size() == 1) {
                triedAlone.add(payloads.get(0));
            }
            if (payloads.stream().anyMatch(event -> event.startsWith("bad"))) {
                throw new IllegalStateException("breaks a constraint");
            }
            written.addAll(payloads);
            return CompletableFuture.completedFuture(null);
        });

        RecordBatches.consumeInStages(batch, event -> null, record, LOG, "member event", NO_BATCH_RETRY,
                Duration.ofSeconds(1)).await().atMost(AWAIT);

        assertThat(triedAlone).contains("bad1").doesNotContain("good30");
        List<String> untried = events.stream().filter(event -> !triedAlone.contains(event)).toList();
        assertThat(untried).as("those left once the deadline passed, in the batch's order").isNotEmpty()
                .isEqualTo(events.subList(events.size() - untried.size(), events.size()));
        assertThat(deadLettered.get("bad1")).hasMessage("breaks a constraint");
        assertThat(untried).allSatisfy(event -> assertThat(deadLettered.get(event)).as(event)
                .hasMessageStartingWith("not tried: its batch failed, and recording the batch one record at a time"
                        + " ran past 1 s"));
        assertThat(events).as("each recorded or dead-lettered: none lost")
                .allSatisfy(event -> assertThat(written.contains(event) || deadLettered.containsKey(event)).isTrue());
        assertThat(committed).containsExactly(29L);
    }

    private KafkaRecordBatch<String, String> batchOf(String... events) {
        TopicPartition partition = new TopicPartition(TOPIC, 0);
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        for (int offset = 0; offset < events.length; offset++) {
            records.add(new ConsumerRecord<>(TOPIC, 0, offset, "member-" + offset, events[offset]));
        }
        KafkaCommitHandler commits = new KafkaCommitHandler() {
            @Override
            public <K, V> Uni<Void> handle(IncomingKafkaRecord<K, V> record) {
                committed.add(record.getOffset());
                return Uni.createFrom().voidItem();
            }
        };
        KafkaFailureHandler deadLetters = new KafkaFailureHandler() {
            @Override
            public <K, V> Uni<Void> handle(IncomingKafkaRecord<K, V> record, Throwable reason, Metadata metadata) {
                synchronized (deadLettered) {
                    deadLettered.put((String) record.getPayload(), reason);
                }
                return Uni.createFrom().voidItem();
            }
        };
        return new IncomingKafkaRecordBatch<>(new ConsumerRecords<>(Map.of(partition, records)), "member-events", 0,
                commits, deadLetters, false, false);
    }
}
