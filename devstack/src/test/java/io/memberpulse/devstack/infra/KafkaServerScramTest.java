package io.memberpulse.devstack.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memberpulse.proto.kafka.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A broker that requires SCRAM-SHA-512 sign-in, reached with exactly the settings the services take
 * from their environment (KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_MECHANISM, KAFKA_SASL_JAAS_CONFIG, named
 * as quarkus-kafka-client names them): the right user writes to and reads channel.events, a wrong
 * password or an unknown user is refused at sign-in.
 */
class KafkaServerScramTest {
    static final String USER = "memberpulse-intake";
    static final String PASSWORD = "pa55-" + UUID.randomUUID();

    static KafkaServer server;

    @BeforeAll
    static void start() {
        server = KafkaServer.startWithScramUser(USER, PASSWORD);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theServicesSettingsAreTheBrokersSignIn() {
        assertThat(server.clientEnvironment())
                .containsEntry("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
                .containsEntry("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
                .containsEntry("KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"" + USER + "\" password=\"" + PASSWORD + "\";");
        assertThat(server.clientProperties()).containsKeys("security.protocol", "sasl.mechanism", "sasl.jaas.config");
    }

    @Test
    void theUserWritesAndReadsTheIntakeTopic() throws Exception {
        String key = "member-" + UUID.randomUUID();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProperties(server.clientProperties()))) {
            producer.send(new ProducerRecord<>(Topics.CHANNEL_EVENTS, key, "signed in")).get(20, TimeUnit.SECONDS);
        }

        Map<String, Object> consumer = new HashMap<>(server.clientProperties());
        consumer.put(ConsumerConfig.GROUP_ID_CONFIG, "scram-test-" + UUID.randomUUID());
        consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        consumer.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<String> read = new ArrayList<>();
        try (KafkaConsumer<String, String> reader = new KafkaConsumer<>(consumer)) {
            reader.subscribe(List.of(Topics.CHANNEL_EVENTS));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (read.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : reader.poll(Duration.ofMillis(200))) {
                    if (record.key().equals(key)) {
                        read.add(record.value());
                    }
                }
            }
        }
        assertThat(read).containsExactly("signed in");
    }

    @Test
    void aWrongPasswordIsRefusedAtSignIn() {
        assertRefused(KafkaServer.scramJaasConfig(USER, PASSWORD + "x"));
    }

    @Test
    void anUnknownUserIsRefusedAtSignIn() {
        assertRefused(KafkaServer.scramJaasConfig("someone-else", PASSWORD));
    }

    private static void assertRefused(String jaasConfig) {
        Map<String, Object> properties = new HashMap<>(server.clientProperties());
        properties.put("sasl.jaas.config", jaasConfig);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProperties(properties))) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(Topics.CHANNEL_EVENTS, "k", "v")).get(20, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(SaslAuthenticationException.class);
        }
    }

    private static Map<String, Object> producerProperties(Map<String, Object> client) {
        Map<String, Object> properties = new HashMap<>(client);
        properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        return properties;
    }
}
