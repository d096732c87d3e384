package io.memberpulse.devstack.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code dlq list}: each dead-letter topic on the broker with the records it holds, how many of them no replay has
 * re-sent yet (by the replay group's commits) and the most frequent reasons. Reads every record of each: a
 * dead-letter topic holds the few records that failed, not a stream.
 */
final class DeadLetterTopics {
    static final int REASONS_SHOWN = 5;

    private final Map<String, Object> kafka;
    private final String group;
    private final PrintStream out;

    DeadLetterTopics(Map<String, Object> kafka, String group, PrintStream out) {
        this.kafka = kafka;
        this.group = group;
        this.out = out;
    }

    /** How many records give one reason, and how many of those are not replayed yet. */
    private static final class Tally {
        long records;
        long waiting;
    }

    int run() {
        try (KafkaConsumer<byte[], byte[]> consumer = DeadLetters.consumer(kafka, group)) {
            TreeSet<String> topics = new TreeSet<>(consumer.listTopics().keySet());
            topics.removeIf(topic -> DeadLetters.originalTopic(topic).isEmpty());
            if (topics.isEmpty()) {
                out.println("no dead-letter topics (*.dlq) at " + kafka.get("bootstrap.servers"));
            }
            for (String topic : topics) {
                list(consumer, topic);
            }
            return 0;
        } catch (KafkaException e) {
            out.println("dlq list: Kafka at " + kafka.get("bootstrap.servers") + " failed: " + e.getMessage());
            return 1;
        }
    }

    private void list(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        List<TopicPartition> partitions = DeadLetters.partitions(consumer, topic);
        Map<TopicPartition, ReplayPosition> positions = DeadLetters.positions(consumer, partitions);
        Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(partitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        consumer.assign(partitions);
        partitions.forEach(partition -> consumer.seek(partition, beginnings.get(partition)));
        Map<String, Tally> reasons = new HashMap<>();
        long records = 0;
        long waiting = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (consumer.paused().size() < partitions.size() && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                if (record.offset() >= ends.get(partition)) {
                    continue;
                }
                Tally tally = reasons.computeIfAbsent(DeadLetters.reason(record), reason -> new Tally());
                tally.records++;
                records++;
                if (!positions.get(partition).wasReplayed(record.offset())) {
                    tally.waiting++;
                    waiting++;
                }
            }
            consumer.pause(partitions.stream().filter(p -> consumer.position(p) >= ends.get(p)).toList());
        }
        boolean partial = consumer.paused().size() < partitions.size();
        consumer.unsubscribe();
        out.printf("%s: %,d records, %,d not replayed yet (to %s)%s%n", topic, records, waiting,
                DeadLetters.originalTopic(topic).orElseThrow(), partial ? "; read for 2 minutes, not to its end" : "");
        reasons.entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<String, Tally> e) -> e.getValue().records).reversed()
                        .thenComparing(Map.Entry::getKey))
                .limit(REASONS_SHOWN)
                .forEach(e -> out.printf("  %,7d (%,d not replayed)  %s%n", e.getValue().records, e.getValue().waiting,
                        e.getKey()));
        if (reasons.size() > REASONS_SHOWN) {
            out.printf("  ... and %,d other reasons%n", reasons.size() - REASONS_SHOWN);
        }
    }
}
