package io.memberpulse.churn.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.memberpulse.churn.domain.FactsBehindException;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The wait before a training run, against the real broker: on a topic of its own with two partitions, so that
 * only this test moves its offsets.
 */
@QuarkusTest
class ConsumedFactsTest {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void lagIsWhatIsPublishedBeyondWhatTheGroupCommittedOnEveryPartition() {
        TopicPartition a0 = new TopicPartition("a", 0);
        TopicPartition a1 = new TopicPartition("a", 1);
        TopicPartition b0 = new TopicPartition("b", 0);
        assertThat(ConsumedFacts.lag(Map.of(a0, 10L, a1, 4L, b0, 0L), Map.of(a0, 7L), Map.of())).isEqualTo(3 + 4);
        assertThat(ConsumedFacts.lag(Map.of(a0, 10L), Map.of(a0, 12L), Map.of())).isZero(); // committed past an older end
        assertThat(ConsumedFacts.lag(Map.of(), Map.of(a0, 1L), Map.of())).isZero();
        // records before the earliest offset have expired: there is nothing left there to consume
        assertThat(ConsumedFacts.lag(Map.of(a0, 10L, a1, 4L), Map.of(), Map.of(a0, 8L, a1, 4L))).isEqualTo(2);
        assertThat(ConsumedFacts.lag(Map.of(a0, 10L), Map.of(a0, 5L), Map.of(a0, 10L))).isZero(); // committed, then expired
    }

    @Test
    void waitsUntilTheGroupHasCommittedWhatWasPublishedWhenItBegan() throws Exception {
        String topic = "consumed-facts-" + UUID.randomUUID();
        String group = "consumed-facts-" + UUID.randomUUID();
        publish(topic, 6);
        ConsumedFacts facts = new ConsumedFacts(Map.of("bootstrap.servers", bootstrapServers), List.of(topic), group,
                Duration.ofSeconds(60));
        List<long[]> reports = new CopyOnWriteArrayList<>();

        CompletableFuture<Void> waiting = CompletableFuture.runAsync(
                () -> facts.awaitCaughtUp((consumed, behind) -> reports.add(new long[] {consumed, behind})));
        await().atMost(Duration.ofSeconds(20)).until(() -> !reports.isEmpty());
        Thread.sleep(1_500);
        assertThat(waiting).isNotDone(); // the group has committed nothing: 6 behind
        assertThat(reports.get(0)).containsExactly(0, 6);

        commit(group, topic, 0, 3); // one partition's share: still behind on the other
        Thread.sleep(1_500);
        assertThat(waiting).isNotDone();
        publish(topic, 4); // published after the wait began: not waited for
        commit(group, topic, 1, 3);

        waiting.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(reports.get(reports.size() - 1)).containsExactly(6, 6);
    }

    @Test
    void aGroupThatStaysBehindFailsTheRunSayingHowFarBehindItIs() {
        String topic = "consumed-facts-" + UUID.randomUUID();
        publish(topic, 6);
        ConsumedFacts facts = new ConsumedFacts(Map.of("bootstrap.servers", bootstrapServers), List.of(topic),
                "stuck-" + UUID.randomUUID(), Duration.ofSeconds(1));
        assertThatThrownBy(() -> facts.awaitCaughtUp((consumed, behind) -> {
        })).isInstanceOf(FactsBehindException.class).hasMessageContaining("has not consumed 6 of the member facts")
                .hasMessageContaining("within 1 s (its consumer group");
    }

    @Test
    void aPartitionWhoseRecordsHaveAllExpiredHoldsNothingUp() throws Exception {
        // A fresh group never commits on a partition with nothing left to read (earliest = end = 3): counting it
        // from offset 0 held every training run for the whole facts-wait, then failed it.
        String topic = "consumed-facts-" + UUID.randomUUID();
        publish(topic, 6);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            admin.deleteRecords(Map.of(new TopicPartition(topic, 0), RecordsToDelete.beforeOffset(3),
                    new TopicPartition(topic, 1), RecordsToDelete.beforeOffset(1))).all().get();
        }
        String group = "expired-" + UUID.randomUUID();
        ConsumedFacts facts = new ConsumedFacts(Map.of("bootstrap.servers", bootstrapServers), List.of(topic), group,
                Duration.ofSeconds(3));
        assertThatThrownBy(() -> facts.awaitCaughtUp((consumed, behind) -> {
        })).isInstanceOf(FactsBehindException.class) // partition 1 still holds 2 records nobody consumed
                .hasMessageContaining("has not consumed 2 of the member facts");

        commit(group, topic, 1, 3);
        long started = System.nanoTime();
        facts.awaitCaughtUp((consumed, behind) -> {
        });
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void aTopicNobodyHasPublishedOnHoldsNothingUp() {
        ConsumedFacts facts = new ConsumedFacts(Map.of("bootstrap.servers", bootstrapServers),
                List.of("never-created-" + UUID.randomUUID()), "any-" + UUID.randomUUID(), Duration.ofSeconds(1));
        facts.awaitCaughtUp((consumed, behind) -> assertThat(behind).isZero());
    }

    /** Three records on each of the topic's two partitions per call of 6 (created with two partitions first). */
    private void publish(String topic, int records) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            if (!admin.listTopics().names().get().contains(topic)) {
                admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.produceStrings().fromRecords(IntStream.range(0, records)
                    .mapToObj(i -> new ProducerRecord<>(topic, i % 2, "k" + i, "v" + i)).toList())
                    .awaitCompletion(Duration.ofSeconds(30));
        }
    }

    private void commit(String group, String topic, int partition, long offset) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(topic, partition), new OffsetAndMetadata(offset)))
                    .all().get();
        }
    }
}
