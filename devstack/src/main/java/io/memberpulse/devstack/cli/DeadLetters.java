package io.memberpulse.devstack.cli;

import io.memberpulse.devstack.infra.KafkaServer;
import io.memberpulse.proto.kafka.Topics;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What the services' dead-letter producers (SmallRye's dead-letter queue) write, and how the launcher reads it back:
 * the record's key and value as they arrived, its own headers, and headers saying why it was dead-lettered
 * ({@code dead-letter-reason}, {@code dead-letter-topic}, ...; a record that could not be read at all also carries
 * {@code deserialization-failure-*}).
 */
final class DeadLetters {
    /** The consumer group whose committed offsets on each .dlq topic say which records were re-sent. */
    static final String REPLAY_GROUP = "memberpulse-dlq-replay";
    static final String REASON = "dead-letter-reason";
    private static final List<String> ADDED_HEADER_PREFIXES = List.of("dead-letter-", "deserialization-failure-");
    private static final int REASON_CHARS = 120;

    private DeadLetters() {
    }

    /** The topic a dead-letter topic's records came from ("member.events" for "member.events.dlq"), if it is one. */
    static Optional<String> originalTopic(String deadLetterTopic) {
        String suffix = Topics.DEAD_LETTER_SUFFIX;
        if (!deadLetterTopic.endsWith(suffix) || deadLetterTopic.length() == suffix.length()) {
            return Optional.empty();
        }
        return Optional.of(deadLetterTopic.substring(0, deadLetterTopic.length() - suffix.length()));
    }

    /** Why the record was dead-lettered, cut to one line's worth; "(no reason given)" when no header says. */
    static String reason(ConsumerRecord<?, ?> record) {
        Header header = record.headers().lastHeader(REASON);
        if (header == null || header.value() == null) {
            return "(no reason given)";
        }
        String reason = new String(header.value(), StandardCharsets.UTF_8).replaceAll("\\s+", " ").strip();
        return reason.length() <= REASON_CHARS ? reason : reason.substring(0, REASON_CHARS - 1) + "…";
    }

    /** Whether the full reason contains the text (the cut one shown may not). */
    static boolean reasonContains(ConsumerRecord<?, ?> record, String text) {
        Header header = record.headers().lastHeader(REASON);
        return header != null && header.value() != null
                && new String(header.value(), StandardCharsets.UTF_8).contains(text);
    }

    /** The record's headers as it was first sent: without those the dead-lettering and the failure handler added. */
    static RecordHeaders originalHeaders(ConsumerRecord<?, ?> record) {
        RecordHeaders headers = new RecordHeaders();
        for (Header header : record.headers()) {
            if (ADDED_HEADER_PREFIXES.stream().noneMatch(header.key()::startsWith)) {
                headers.add(header);
            }
        }
        return headers;
    }

    /**
     * Client settings for the stack's broker: its address, and the KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_* and
     * KAFKA_SSL_* variables the services read from the same environment (a secured platform cluster).
     */
    static Map<String, Object> clientProperties(String bootstrapServers, Map<String, String> environment) {
        Map<String, Object> properties = new HashMap<>();
        environment.forEach((variable, value) -> {
            if ((variable.startsWith("KAFKA_SECURITY_") || variable.startsWith("KAFKA_SASL_")
                    || variable.startsWith("KAFKA_SSL_")) && !value.isEmpty()) {
                properties.put(KafkaServer.kafkaName(variable), value);
            }
        });
        properties.put("bootstrap.servers", bootstrapServers);
        return properties;
    }

    /** A consumer of raw bytes in the replay group that commits only when told. */
    static KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> kafka, String group) {
        Map<String, Object> properties = new HashMap<>(kafka);
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(properties);
    }

    static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic);
        return infos.stream().map(info -> new TopicPartition(topic, info.partition())).toList();
    }

    /** Each partition's replay position as the group committed it, moved past what retention deleted. */
    static Map<TopicPartition, ReplayPosition> positions(KafkaConsumer<?, ?> consumer, List<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new java.util.HashSet<>(partitions));
        Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(partitions);
        Map<TopicPartition, ReplayPosition> positions = new HashMap<>();
        for (TopicPartition partition : partitions) {
            OffsetAndMetadata commit = committed.get(partition);
            ReplayPosition position = commit == null ? ReplayPosition.at(0)
                    : ReplayPosition.committed(commit.offset(), commit.metadata());
            position.startNoEarlierThan(beginnings.get(partition));
            positions.put(partition, position);
        }
        return positions;
    }
}
