package io.memberpulse.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The relay's grace outlasts the member-events producer's own bound on a batch's first publication, as configured:
 * every record handed over within twice max.block.ms (the publisher stops handing over after one, the last send may
 * block one more), each acknowledged or failed within delivery.timeout.ms after.
 */
class UnpublishedEventRelayGraceTest {

    @Test
    void theGraceOutlastsTheConfiguredProducersBoundOnAFirstSend() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("application.properties")) {
            properties.load(in);
        }
        String prefix = "mp.messaging.outgoing.member-events.";
        assertThat(properties).as("the producer's timeouts are set, not left to the client's defaults")
                .containsKeys(prefix + "max.block.ms", prefix + "delivery.timeout.ms");
        Duration maxBlock = Duration.ofMillis(Long.parseLong(properties.getProperty(prefix + "max.block.ms")));
        Duration delivery = Duration.ofMillis(Long.parseLong(properties.getProperty(prefix + "delivery.timeout.ms")));
        Duration inFlight = maxBlock.multipliedBy(2).plus(delivery);

        assertThat(UnpublishedEventRelay.grace(maxBlock, delivery)).isGreaterThan(inFlight);
        // it follows the producer's settings: longer timeouts, a longer grace
        assertThat(UnpublishedEventRelay.grace(maxBlock.multipliedBy(3), delivery.multipliedBy(3)))
                .isGreaterThan(inFlight.multipliedBy(3));
    }
}
