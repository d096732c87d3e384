package io.memberpulse.rfm;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItems;

import io.memberpulse.devstack.infra.KafkaServer;
import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.devstack.testing.SecuredInfrastructureTestResource;
import io.memberpulse.proto.kafka.Topics;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * rfm-service on infrastructure secured as a platform team runs it: PostgreSQL, Redis and Kafka speak only
 * TLS (certificates from a CA the JVM does not know), Redis wants a password and Kafka a SCRAM user. The
 * service gets nothing but the POSTGRES_*, REDIS_* and KAFKA_* variables a deployment sets. Readiness is UP
 * with every check (Flyway's JDBC and the reactive pool, Redis, Kafka's admin client), the service's Redis
 * client writes and reads, and a record the member-events channel cannot read reaches member.events.dlq, so
 * that consumer and its dead-letter producer connected too. Any client left plaintext, trusting only the
 * JVM's CAs or not signed in would be refused by its server.
 */
@QuarkusTest
@TestProfile(SecuredInfrastructureTest.Secured.class)
class SecuredInfrastructureTest {
    static final List<String> KAFKA_SETTINGS = List.of("KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_MECHANISM",
            "KAFKA_SASL_JAAS_CONFIG", "KAFKA_SSL_TRUSTSTORE_LOCATION", "KAFKA_SSL_TRUSTSTORE_PASSWORD",
            "KAFKA_SSL_TRUSTSTORE_TYPE");

    /** The secured servers instead of the usual open ones. */
    public static class Secured implements QuarkusTestProfile {
        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SecuredInfrastructureTestResource.class, Map.of("database", "memberpulse_rfm")),
                    new TestResourceEntry(AuthTestResource.class));
        }
    }

    @Inject
    RedisDataSource redis;

    @ConfigProperty(name = "memberpulse.redis.key-prefix")
    String keyPrefix;

    @Test
    void everyConnectionIsUpOverVerifiedTls() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("Database connections health check",
                        "Reactive PostgreSQL connections health check"))
                .body("checks.status", everyItem(equalTo("UP")));
        // Redis and Kafka, reported apart from readiness, by clients made from the same variables
        given().get("/q/health/group/dependencies").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("redis", "kafka"))
                .body("checks.status", everyItem(equalTo("UP")));
    }

    @Test
    void theServicesRedisClientWritesAndReads() {
        String key = keyPrefix + "secured-" + UUID.randomUUID();
        redis.value(String.class).set(key, "yes");
        assertThat(redis.value(String.class).get(key)).isEqualTo("yes");
        redis.key().del(key);
    }

    @Test
    void anUnreadableRecordReachesTheDeadLetterTopic() {
        String member = "m-" + UUID.randomUUID();
        try (KafkaCompanion kafka = new KafkaCompanion(secured().get("bootstrap.servers").toString())) {
            kafka.setCommonClientConfig(secured());
            var deadLetters = kafka.consume(String.class, byte[].class).fromTopics(Topics.deadLetter(Topics.MEMBER_EVENTS));
            kafka.produce(String.class, byte[].class).fromRecords(
                    new ProducerRecord<>(Topics.MEMBER_EVENTS, member, new byte[] {(byte) 0xff, 0x01})).awaitCompletion();
            await().atMost(Duration.ofSeconds(30)).until(() -> deadLetters.getRecords().stream()
                    .anyMatch(r -> member.equals(r.key())));
            deadLetters.stop();
        }
    }

    /** This test's own Kafka client: the broker's address and the same KAFKA_* settings the service was given. */
    private static Map<String, Object> secured() {
        Config config = ConfigProvider.getConfig();
        Map<String, Object> client = new HashMap<>();
        client.put("bootstrap.servers", config.getValue("kafka.bootstrap.servers", String.class));
        for (String variable : KAFKA_SETTINGS) {
            client.put(KafkaServer.kafkaName(variable), config.getValue(variable, String.class));
        }
        return client;
    }
}
