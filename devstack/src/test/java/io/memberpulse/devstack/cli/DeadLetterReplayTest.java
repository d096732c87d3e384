package io.memberpulse.devstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.devstack.infra.InfraSettings;
import io.memberpulse.devstack.infra.KafkaServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dlq replay and dlq list on a real broker (the tests' KafkaTestResource's: KAFKA_BOOTSTRAP_SERVERS, else a KRaft
 * broker in this JVM), each test on a topic and dead-letter topic of its own, the dead letters written as the
 * services' dead-letter queue writes them (the record's key, value and own headers, plus dead-letter-* headers).
 */
class DeadLetterReplayTest {
    private static KafkaServer server;
    private String topic;
    private String deadLetters;

    @BeforeAll
    static void startKafka() {
        server = KafkaServer.startOrReuse(InfraSettings.fromEnvironment());
    }

    @AfterAll
    static void stopKafka() {
        server.close();
    }

    @BeforeEach
    void topics() throws Exception {
        topic = "replay-test-" + UUID.randomUUID();
        deadLetters = topic + ".dlq";
        try (Admin admin = Admin.create(server.clientProperties())) {
            admin.createTopics(List.of(new NewTopic(topic, KafkaServer.PARTITIONS, (short) 1),
                    new NewTopic(deadLetters, KafkaServer.PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void theRecordsGoBackToTheirTopicAsFirstSentAndASecondReplaySendsNothing() throws Exception {
        deadLetter("m-1", "fact-1", "rfm: purchase line 2: quantity: must be at least 1", "traceparent", "00-abc-01");
        deadLetter("m-2", "fact-2", "connection to PostgreSQL refused", null, null);
        deadLetter("m-3", null, "a tombstone whose member was unknown", null, null);

        String printed = replay(null, false);

        List<ConsumerRecord<byte[], byte[]>> sent = read(topic);
        assertThat(sent).extracting(DeadLetterReplayTest::key).containsExactlyInAnyOrder("m-1", "m-2", "m-3");
        ConsumerRecord<byte[], byte[]> first = recordOf(sent, "m-1");
        assertThat(new String(first.value(), StandardCharsets.UTF_8)).isEqualTo("fact-1");
        assertThat(first.headers().toArray()).extracting(Header::key).containsExactly("traceparent");
        assertThat(new String(first.headers().lastHeader("traceparent").value(), StandardCharsets.UTF_8))
                .isEqualTo("00-abc-01");
        assertThat(recordOf(sent, "m-2").headers().toArray()).isEmpty();
        assertThat(recordOf(sent, "m-3").value()).as("a tombstone stays one").isNull();
        assertThat(printed).contains("replayed 3 records of " + deadLetters + " to " + topic);

        String again = replay(null, false);

        assertThat(read(topic)).as("nothing sent twice").hasSize(3);
        assertThat(again).contains("0 records not replayed before", "replayed 0 records");
    }

    @Test
    void aReasonReplaysItsRecordsAndLeavesTheOthersForALaterReplay() throws Exception {
        for (int i = 0; i < 20; i++) {
            deadLetter("m-" + i, "fact-" + i, i % 2 == 0 ? "database outage: connection refused"
                    : "probability: must be within 0..1", null, null);
        }

        String printed = replay("outage", false);

        assertThat(read(topic)).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrderElementsOf(facts(0, 2, 4, 6, 8, 10, 12, 14, 16, 18));
        assertThat(printed).contains("replayed 10 records", "10 left on " + deadLetters);

        replay("outage", false);
        assertThat(read(topic)).as("the same reason again sends nothing").hasSize(10);

        String rest = replay(null, false);
        assertThat(read(topic)).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .as("the records left are sent, those replayed before are not").hasSize(20)
                .containsAll(facts(1, 3, 5, 7, 9, 11, 13, 15, 17, 19));
        assertThat(rest).contains("replayed 10 records");
        assertThat(replay(null, false)).contains("replayed 0 records");
        assertThat(read(topic)).hasSize(20);
    }

    @Test
    void aDryRunSendsNothingAndMarksNothing() throws Exception {
        deadLetter("m-1", "fact-1", "connection refused", null, null);
        deadLetter("m-2", "fact-2", "connection refused", null, null);

        String dry = replay(null, true);

        assertThat(dry).contains("dry run: would replay 2 records", "nothing sent");
        assertThat(read(topic)).isEmpty();
        replay(null, false);
        assertThat(read(topic)).hasSize(2);
    }

    @Test
    void theListCountsEachDeadLetterTopicsRecordsAndTheirMostFrequentReasons() throws Exception {
        for (int i = 0; i < 5; i++) {
            deadLetter("m-" + i, "fact-" + i, i < 3 ? "connection refused" : "member_id: is required", null, null);
        }
        replay("member_id", false);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(new DeadLetterTopics(server.clientProperties(), DeadLetters.REPLAY_GROUP,
                new PrintStream(out, true, StandardCharsets.UTF_8)).run()).isZero();

        String listed = out.toString(StandardCharsets.UTF_8);
        String[] lines = listed.substring(listed.indexOf(deadLetters + ":")).split("\n");
        assertThat(lines[0]).isEqualTo(deadLetters + ": 5 records, 3 not replayed yet (to " + topic + ")");
        assertThat(lines[1]).matches(" +3 \\(3 not replayed\\)  connection refused");
        assertThat(lines[2]).matches(" +2 \\(0 not replayed\\)  member_id: is required");
    }

    /** The launcher's way in: the broker named by KAFKA_BOOTSTRAP_SERVERS, else the one in the state's stack.env. */
    @Test
    void theCommandReachesTheBrokerTheEnvironmentOrTheStackNames(@TempDir Path state) throws Exception {
        deadLetter("m-1", "fact-1", "connection refused", null, null);
        deadLetter("m-2", "fact-2", "connection refused", null, null);
        Files.writeString(state.resolve("stack.env"), "KAFKA_BOOTSTRAP_SERVERS=" + server.bootstrapServers() + "\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream printed = new PrintStream(out, true, StandardCharsets.UTF_8);

        assertThat(DeadLetterCommand.run(new String[] {"replay", deadLetters, "--dry-run", "--state", state.toString()},
                Map.of(), printed)).isZero();
        assertThat(DeadLetterCommand.run(new String[] {"replay", deadLetters, "--reason", "refused", "--state",
                state.resolve("elsewhere").toString()}, Map.of("KAFKA_BOOTSTRAP_SERVERS", server.bootstrapServers()),
                printed)).isZero();
        assertThat(DeadLetterCommand.run(new String[] {"list", "--state", state.resolve("nowhere").toString()}, Map.of(),
                printed)).as("no broker named, no stack").isEqualTo(1);

        assertThat(out.toString(StandardCharsets.UTF_8)).contains("dry run: would replay 2 records", "replayed 2 records");
        assertThat(read(topic)).hasSize(2);
    }

    @Test
    void aTopicThatIsNoDeadLetterTopicIsRefused() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = new DeadLetterReplay(server.clientProperties(), DeadLetters.REPLAY_GROUP,
                new PrintStream(out, true, StandardCharsets.UTF_8)).run(topic, null, false);

        assertThat(exit).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains(topic + " is no dead-letter topic");
    }

    private static List<String> facts(int... numbers) {
        List<String> facts = new ArrayList<>();
        for (int number : numbers) {
            facts.add("fact-" + number);
        }
        return facts;
    }

    private String replay(String reason, boolean dryRun) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = new DeadLetterReplay(server.clientProperties(), DeadLetters.REPLAY_GROUP,
                new PrintStream(out, true, StandardCharsets.UTF_8)).run(deadLetters, reason, dryRun);
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(printed).isZero();
        return printed;
    }

    /** A record as SmallRye's dead-letter queue writes it: its own headers, then why and from where. */
    private void deadLetter(String key, String value, String reason, String ownHeader, String ownValue)
            throws Exception {
        RecordHeaders headers = new RecordHeaders();
        if (ownHeader != null) {
            headers.add(ownHeader, bytes(ownValue));
        }
        headers.add("dead-letter-exception-class-name", bytes("java.lang.IllegalArgumentException"));
        headers.add("dead-letter-reason", bytes(reason));
        headers.add("dead-letter-topic", bytes(topic));
        headers.add("dead-letter-partition", bytes("0"));
        headers.add("dead-letter-offset", bytes("42"));
        headers.add("deserialization-failure-reason", bytes("not a readable message"));
        Map<String, Object> properties = new HashMap<>(server.clientProperties());
        properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(properties)) {
            producer.send(new ProducerRecord<>(deadLetters, null, bytes(key), value == null ? null : bytes(value),
                    headers)).get(20, TimeUnit.SECONDS);
        }
    }

    /** Every record on the topic now (up to its end offsets: nothing to wait for). */
    private static List<ConsumerRecord<byte[], byte[]>> read(String topic) {
        Map<String, Object> properties = new HashMap<>(server.clientProperties());
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties)) {
            List<TopicPartition> partitions = DeadLetters.partitions(consumer, topic);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    private static ConsumerRecord<byte[], byte[]> recordOf(List<ConsumerRecord<byte[], byte[]>> records, String key) {
        return records.stream().filter(r -> key.equals(key(r))).findFirst().orElseThrow();
    }

    private static String key(ConsumerRecord<byte[], byte[]> record) {
        return new String(record.key(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
