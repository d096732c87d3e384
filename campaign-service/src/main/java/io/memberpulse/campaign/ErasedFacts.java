package io.memberpulse.campaign;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Counts the facts dropped because they name an erased member (memberpulse.campaign.erased.facts.dropped, by topic):
 * acknowledged, not dead-lettered, since a dead-letter topic would keep the member's data for its retention.
 */
@ApplicationScoped
public class ErasedFacts {
    static final String DROPPED = "memberpulse.campaign.erased.facts.dropped";

    private final MeterRegistry registry;

    ErasedFacts(MeterRegistry registry) {
        this.registry = registry;
    }

    public void dropped(String topic, long count) {
        if (count > 0) {
            registry.counter(DROPPED, "topic", topic).increment(count);
        }
    }
}
