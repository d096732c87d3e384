package io.memberpulse.rfm;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.memberpulse.devstack.infra.KafkaServer;
import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.devstack.testing.PostgresTestResource;
import io.memberpulse.devstack.testing.RedisTestResource;
import io.memberpulse.devstack.testing.ScramKafkaTestResource;
import io.memberpulse.proto.kafka.Topics;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * rfm-service on a broker whose clients must sign in (SCRAM-SHA-512), given nothing but the KAFKA_*
 * variables a deployment sets: the health check's admin client signs in (readiness UP with Kafka), and a
 * record the member-events channel cannot read reaches member.events.dlq, so that consumer and its
 * dead-letter producer signed in too. With any of them left plaintext, the broker would drop them.
 */
@QuarkusTest
@TestProfile(SecuredKafkaTest.SignedIn.class)
class SecuredKafkaTest {
    static final List<String> SIGN_IN = List.of("KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_MECHANISM", "KAFKA_SASL_JAAS_CONFIG");

    /** The usual infrastructure, with the SCRAM broker instead of the plaintext one. */
    public static class SignedIn implements QuarkusTestProfile {
        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(PostgresTestResource.class, Map.of("database", "memberpulse_rfm")),
                    new TestResourceEntry(RedisTestResource.class), new TestResourceEntry(ScramKafkaTestResource.class),
                    new TestResourceEntry(AuthTestResource.class));
        }
    }

    @Test
    void everyKafkaClientSignsInWithTheEnvironmentsSettings() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.name", hasItem("Kafka connection health check"))
                .body("checks.find { it.name == 'Kafka connection health check' }.status", equalTo("UP"));

        String member = "m-" + UUID.randomUUID();
        try (KafkaCompanion kafka = new KafkaCompanion(signedIn().get("bootstrap.servers").toString())) {
            kafka.setCommonClientConfig(signedIn());
            var deadLetters = kafka.consume(String.class, byte[].class).fromTopics(Topics.deadLetter(Topics.MEMBER_EVENTS));
            kafka.produce(String.class, byte[].class).fromRecords(
                    new ProducerRecord<>(Topics.MEMBER_EVENTS, member, new byte[] {(byte) 0xff, 0x01})).awaitCompletion();
            await().atMost(Duration.ofSeconds(30)).until(() -> deadLetters.getRecords().stream()
                    .anyMatch(r -> member.equals(r.key())));
            deadLetters.stop();
        }
    }

    /** This test's own client: the broker's address and the same KAFKA_* settings the service was given. */
    private static Map<String, Object> signedIn() {
        Config config = ConfigProvider.getConfig();
        Map<String, Object> client = new HashMap<>();
        client.put("bootstrap.servers", config.getValue("kafka.bootstrap.servers", String.class));
        for (String variable : SIGN_IN) {
            client.put(KafkaServer.kafkaName(variable), config.getValue(variable, String.class));
        }
        return client;
    }
}
