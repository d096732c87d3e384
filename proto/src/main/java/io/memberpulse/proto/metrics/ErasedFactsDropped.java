package io.memberpulse.proto.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counts the facts a service consumed after their member's erasure and dropped (memberpulse.SERVICE.erased.facts.dropped,
 * tagged with the topic they came on): acknowledged, neither recorded nor dead-lettered, since a dead-letter topic
 * would keep the erased member's facts for its retention. One meter for rfm-, churn- and campaign-service; each
 * service's ErasedFacts bean names itself and the topics it drops from, whose series are registered at 0 from the
 * start, so a dashboard sees them before the first drop.
 */
public class ErasedFactsDropped {
    private final MeterRegistry registry;
    private final String name;

    protected ErasedFactsDropped(MeterRegistry registry, String service, String... topics) {
        this.registry = registry;
        this.name = "memberpulse." + service + ".erased.facts.dropped";
        for (String topic : topics) {
            counter(topic);
        }
    }

    /** Counts {@code count} facts of the topic dropped (none: nothing to count). */
    public void dropped(String topic, long count) {
        if (count > 0) {
            counter(topic).increment(count);
        }
    }

    /** The topic's counter: registered on the first call, the same one after. */
    private Counter counter(String topic) {
        return Counter.builder(name).tag("topic", topic)
                .description("Facts naming an erased member, consumed after the erasure: acknowledged and dropped, not "
                        + "recorded nor dead-lettered")
                .register(registry);
    }
}
