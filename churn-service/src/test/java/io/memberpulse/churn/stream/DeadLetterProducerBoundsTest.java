package io.memberpulse.churn.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.arc.Unremovable;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.ClientCustomizer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;

/**
 * The producers that dead-letter each incoming channel's records send within the same bounds as churn.scores: with
 * Kafka's defaults (max.block.ms 60 s, delivery.timeout.ms 120 s) a dead-lettering during a broker outage took minutes,
 * where RecordBatches leaves a batch two of its 10 minutes for its output and its dead-lettering. Read from the
 * configuration each producer is built with (the connector hands it to every ClientCustomizer).
 */
@QuarkusTest
class DeadLetterProducerBoundsTest {
    /** Every Kafka producer's and consumer's configuration as built, by client.id. */
    static final Map<String, Map<String, Object>> BUILT = new ConcurrentHashMap<>();

    @ApplicationScoped
    @Unremovable
    public static class RecordingCustomizer implements ClientCustomizer<Map<String, Object>> {
        @Override
        public Map<String, Object> customize(String channel, Config channelConfig, Map<String, Object> config) {
            BUILT.put(String.valueOf(config.get("client.id")), Map.copyOf(config));
            return config;
        }
    }

    @Test
    void everyDeadLetterProducerSendsWithinTheOutputsBounds() {
        Map<String, Map<String, Object>> deadLetterProducers = new ConcurrentHashMap<>();
        BUILT.forEach((clientId, config) -> {
            if (clientId.startsWith("kafka-dead-letter-topic-producer-")) {
                deadLetterProducers.put(clientId, config);
            }
        });
        assertThat(deadLetterProducers.keySet()).as("one per incoming channel").hasSize(3);
        deadLetterProducers.forEach((clientId, config) -> {
            assertThat(String.valueOf(config.get("max.block.ms"))).as("%s max.block.ms", clientId).isEqualTo("10000");
            assertThat(String.valueOf(config.get("request.timeout.ms"))).as("%s request.timeout.ms", clientId)
                    .isEqualTo("20000");
            assertThat(String.valueOf(config.get("delivery.timeout.ms"))).as("%s delivery.timeout.ms", clientId)
                    .isEqualTo("30000");
        });
    }
}
