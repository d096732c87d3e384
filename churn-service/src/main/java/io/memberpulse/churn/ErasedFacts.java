package io.memberpulse.churn;

import io.memberpulse.proto.kafka.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

/**
 * Counts the facts consumed after their member's erasure and dropped (memberpulse.churn.erased.facts.dropped, by the
 * topic they came on): acknowledged, not dead-lettered, since a dead-letter topic would keep the erased member's facts
 * for its retention. A singleton (no client proxy), made with the services that inject it: both topics' series are
 * registered at 0 then, as before the first drop.
 */
@Singleton
public class ErasedFacts {
    static final String DROPPED = "memberpulse.churn.erased.facts.dropped";

    private final MeterRegistry registry;

    ErasedFacts(MeterRegistry registry) {
        this.registry = registry;
        counter(Topics.MEMBER_EVENTS);
        counter(Topics.INTERVENTION_OUTCOMES);
    }

    public void dropped(String topic, long count) {
        if (count > 0) {
            counter(topic).increment(count);
        }
    }

    private Counter counter(String topic) {
        return Counter.builder(DROPPED)
                .description("Facts naming an erased member, consumed after the erasure: acknowledged and not recorded")
                .tag("topic", topic).register(registry);
    }
}
