package io.memberpulse.churn;

import io.memberpulse.proto.kafka.Topics;
import io.memberpulse.proto.metrics.ErasedFactsDropped;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

/** churn-service's count of facts dropped for an erased member: memberpulse.churn.erased.facts.dropped{topic}. */
@Singleton
public class ErasedFacts extends ErasedFactsDropped {
    ErasedFacts(MeterRegistry registry) {
        super(registry, "churn", Topics.MEMBER_EVENTS, Topics.INTERVENTION_OUTCOMES);
    }
}
