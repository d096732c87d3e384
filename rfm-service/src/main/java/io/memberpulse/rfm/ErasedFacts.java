package io.memberpulse.rfm;

import io.memberpulse.proto.kafka.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Counts the facts dropped because they name an erased member (memberpulse.rfm.erased.facts.dropped, by topic):
 * acknowledged, not recorded nor dead-lettered, since a dead-letter topic would keep the member's data for its
 * retention. One counter per topic, registered here once for member.events and churn.scores so both are exported
 * from the start.
 */
@ApplicationScoped
public class ErasedFacts {
    static final String DROPPED = "memberpulse.rfm.erased.facts.dropped";

    private final MeterRegistry registry;

    ErasedFacts(MeterRegistry registry) {
        this.registry = registry;
        counter(Topics.MEMBER_EVENTS);
        counter(Topics.CHURN_SCORES);
    }

    /** Counts {@code count} facts of the topic dropped (none: nothing to count). */
    public void dropped(String topic, long count) {
        if (count > 0) {
            counter(topic).increment(count);
        }
    }

    /** The topic's counter: registered on the first call, the same one after. */
    private Counter counter(String topic) {
        return Counter.builder(DROPPED).tag("topic", topic)
                .description("Facts about erased members acknowledged and dropped, not recorded (nor dead-lettered)")
                .register(registry);
    }
}
