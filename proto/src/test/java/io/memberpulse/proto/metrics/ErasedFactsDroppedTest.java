package io.memberpulse.proto.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class ErasedFactsDroppedTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private double count(String topic) {
        return registry.get("memberpulse.test.erased.facts.dropped").tag("topic", topic).counter().count();
    }

    @Test
    void theServicesTopicsAreExportedAtZeroAndEachCountsItsOwnDrops() {
        var dropped = new ErasedFactsDropped(registry, "test", "member.events", "churn.scores") {
        };
        assertThat(count("member.events")).isZero();
        assertThat(count("churn.scores")).isZero();

        dropped.dropped("member.events", 3);
        dropped.dropped("member.events", 0);
        dropped.dropped("member.merges", 1);

        assertThat(count("member.events")).isEqualTo(3);
        assertThat(count("churn.scores")).isZero();
        assertThat(count("member.merges")).as("a topic not named up front is counted too").isEqualTo(1);
    }
}
