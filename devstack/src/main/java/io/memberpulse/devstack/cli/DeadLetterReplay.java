package io.memberpulse.devstack.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code dlq replay TOPIC.dlq [--reason TEXT] [--dry-run]}: re-sends a dead-letter topic's records to the topic they
 * came from, each with its key, value (a tombstone stays one) and its own headers (not the dead-letter ones), keyed as
 * before, so to the partition its member's records go to. Reads up to where the topic ended when the replay began.
 * <p>
 * A record is sent once: after each poll's records are acknowledged by the broker, the replay group
 * ({@link DeadLetters#REPLAY_GROUP}) commits on the dead-letter topic how far each partition was re-sent, so a second
 * run sends nothing again and a run stopped half-way goes on where it stopped. {@code --reason} sends only the
 * records whose reason contains the text; the others stay for a later replay (the commit's metadata lists the
 * records re-sent above the first one left). {@code --dry-run} reads and counts, sends and commits nothing.
 * One replay of a topic at a time: two at once would both send.
 */
final class DeadLetterReplay {
    /** A poll that brings nothing for this long, while records remain below the ends, means the broker is gone. */
    private static final Duration STALLED_AFTER = Duration.ofSeconds(60);

    private final Map<String, Object> kafka;
    private final String group;
    private final PrintStream out;

    DeadLetterReplay(Map<String, Object> kafka, String group, PrintStream out) {
        this.kafka = kafka;
        this.group = group;
        this.out = out;
    }

    /** What a replay did, by record: each record read is counted once. */
    record Outcome(long replayed, long leftByReason, long alreadyReplayed, long leftForRoom, long failed) {
    }

    int run(String deadLetterTopic, String reason, boolean dryRun) {
        String target = DeadLetters.originalTopic(deadLetterTopic).orElse(null);
        if (target == null) {
            out.println("dlq replay: " + deadLetterTopic + " is no dead-letter topic (its name ends in .dlq)");
            return 2;
        }
        long started = System.nanoTime();
        try (KafkaConsumer<byte[], byte[]> consumer = DeadLetters.consumer(kafka, group)) {
            Set<String> topics = consumer.listTopics().keySet();
            for (String topic : List.of(deadLetterTopic, target)) {
                if (!topics.contains(topic)) {
                    out.println("dlq replay: there is no topic " + topic + " at " + kafka.get("bootstrap.servers"));
                    return 1;
                }
            }
            List<TopicPartition> partitions = DeadLetters.partitions(consumer, deadLetterTopic);
            Map<TopicPartition, ReplayPosition> positions = DeadLetters.positions(consumer, partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            List<TopicPartition> toRead = partitions.stream()
                    .filter(partition -> positions.get(partition).next() < ends.get(partition)).toList();
            long total = toRead.stream().mapToLong(p -> ends.get(p) - positions.get(p).next()).sum();
            out.printf("%s %s to %s: %,d records not replayed before%s%n", dryRun ? "reading" : "replaying",
                    deadLetterTopic, target, total, reason == null ? "" : " (sending those whose reason contains \""
                            + reason + "\")");
            consumer.assign(toRead);
            toRead.forEach(partition -> consumer.seek(partition, positions.get(partition).next()));
            Outcome outcome;
            try (KafkaProducer<byte[], byte[]> producer = dryRun ? null : producer()) {
                outcome = replay(consumer, producer, target, positions, ends, total, reason);
            }
            summarise(outcome, deadLetterTopic, target, dryRun, (System.nanoTime() - started) / 1e9);
            return outcome.failed() > 0 ? 1 : 0;
        } catch (KafkaException e) {
            out.println("dlq replay: Kafka at " + kafka.get("bootstrap.servers") + " failed: " + e.getMessage());
            return 1;
        }
    }

    private Outcome replay(KafkaConsumer<byte[], byte[]> consumer, KafkaProducer<byte[], byte[]> producer,
            String target, Map<TopicPartition, ReplayPosition> positions, Map<TopicPartition, Long> ends, long total,
            String reason) {
        Progress progress = new Progress(total, "records");
        long read = 0;
        long replayed = 0;
        long leftByReason = 0;
        long already = 0;
        long leftForRoom = 0;
        long failed = 0;
        long lastRecord = System.nanoTime();
        while (unread(consumer) && failed == 0) {
            List<ConsumerRecord<byte[], byte[]>> sent = new ArrayList<>();
            List<Future<RecordMetadata>> acknowledgements = new ArrayList<>();
            ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
            if (!records.isEmpty()) {
                lastRecord = System.nanoTime();
            }
            for (ConsumerRecord<byte[], byte[]> record : records) {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                ReplayPosition position = positions.get(partition);
                if (record.offset() >= ends.get(partition)) {
                    continue;
                }
                read++;
                if (position.wasReplayed(record.offset())) {
                    already++;
                } else if (reason != null && !DeadLetters.reasonContains(record, reason)) {
                    leftByReason++;
                } else if (record.offset() > position.next() && !position.hasRoomForMore()) {
                    leftForRoom++;
                } else if (producer == null) {
                    replayed++;
                } else {
                    sent.add(record);
                    acknowledgements.add(producer.send(new ProducerRecord<>(target, null, record.key(), record.value(),
                            DeadLetters.originalHeaders(record))));
                }
            }
            if (!sent.isEmpty()) {
                producer.flush();
                for (int i = 0; i < sent.size(); i++) {
                    ConsumerRecord<byte[], byte[]> record = sent.get(i);
                    try {
                        acknowledgements.get(i).get();
                        positions.get(new TopicPartition(record.topic(), record.partition())).replayed(record.offset());
                        replayed++;
                    } catch (ExecutionException e) {
                        failed++;
                        out.printf("could not re-send %s-%d@%d: %s%n", record.topic(), record.partition(),
                                record.offset(), e.getCause().getMessage());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new KafkaException("interrupted while re-sending", e);
                    }
                }
                consumer.commitSync(commits(positions, consumer.assignment()));
            }
            // a partition read up to where it ended when the replay began is done (records arriving since wait)
            consumer.pause(consumer.assignment().stream()
                    .filter(partition -> consumer.position(partition) >= ends.get(partition)).toList());
            progress.show(read, replayed);
            if (System.nanoTime() - lastRecord > STALLED_AFTER.toNanos() && unread(consumer)) {
                throw new KafkaException("no record arrived for " + STALLED_AFTER.toSeconds() + " s");
            }
        }
        progress.end();
        return new Outcome(replayed, leftByReason, already, leftForRoom, failed);
    }

    private static boolean unread(KafkaConsumer<?, ?> consumer) {
        return consumer.paused().size() < consumer.assignment().size();
    }

    private static Map<TopicPartition, OffsetAndMetadata> commits(Map<TopicPartition, ReplayPosition> positions,
            Set<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
        partitions.forEach(partition -> commits.put(partition,
                new OffsetAndMetadata(positions.get(partition).next(), positions.get(partition).metadata())));
        return commits;
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Map<String, Object> properties = new HashMap<>(kafka);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(properties);
    }

    private void summarise(Outcome outcome, String deadLetterTopic, String target, boolean dryRun, double seconds) {
        out.printf("%s %,d records of %s to %s in %.1f s%n", dryRun ? "dry run: would replay" : "replayed",
                outcome.replayed(), deadLetterTopic, target, seconds);
        if (outcome.alreadyReplayed() > 0) {
            out.printf("  %,d re-sent by an earlier replay: not again%n", outcome.alreadyReplayed());
        }
        if (outcome.leftByReason() > 0) {
            out.printf("  %,d left on %s: their reason does not contain the text (a later replay sends them)%n",
                    outcome.leftByReason(), deadLetterTopic);
        }
        if (outcome.leftForRoom() > 0) {
            out.printf("  %,d left for a later run: too many records re-sent above ones left behind to record"
                    + " (replay those first)%n", outcome.leftForRoom());
        }
        if (outcome.failed() > 0) {
            out.printf("  %,d could not be sent (see above); they and the records not read yet are sent by the"
                    + " next replay%n", outcome.failed());
        }
        if (dryRun) {
            out.println("  nothing sent, nothing marked as replayed");
        }
    }
}
