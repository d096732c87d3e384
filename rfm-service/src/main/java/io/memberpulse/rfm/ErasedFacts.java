package io.memberpulse.rfm;

import io.memberpulse.proto.kafka.Topics;
import io.memberpulse.proto.metrics.ErasedFactsDropped;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

/** rfm-service's count of facts dropped for an erased member: memberpulse.rfm.erased.facts.dropped{topic}. */
@Singleton
public class ErasedFacts extends ErasedFactsDropped {
    ErasedFacts(MeterRegistry registry) {
        super(registry, "rfm", Topics.MEMBER_EVENTS, Topics.CHURN_SCORES);
    }
}
