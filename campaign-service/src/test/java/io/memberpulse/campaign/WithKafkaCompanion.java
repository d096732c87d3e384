package io.memberpulse.campaign;

import io.memberpulse.campaign.testdata.ChurnEvents;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * For @QuarkusTests that publish to or read from the test broker (TestInfrastructure's): a KafkaCompanion on it for
 * each test, with ChurnScored's serde registered (ChurnEvents.companion), closed after the test. A test that needs
 * more serdes registers them in its own {@code @BeforeEach}, which JUnit runs after this class's; its own
 * {@code @AfterEach} runs before the companion is closed.
 */
public abstract class WithKafkaCompanion {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    protected String bootstrapServers;

    protected KafkaCompanion kafka;

    @BeforeEach
    protected final void openKafkaCompanion() {
        kafka = ChurnEvents.companion(bootstrapServers);
    }

    @AfterEach
    protected final void closeKafkaCompanion() {
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
    }
}
