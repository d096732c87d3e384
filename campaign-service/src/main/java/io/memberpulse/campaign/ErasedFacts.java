package io.memberpulse.campaign;

import io.memberpulse.proto.kafka.Topics;
import io.memberpulse.proto.metrics.ErasedFactsDropped;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

/** campaign-service's count of facts dropped for an erased member: memberpulse.campaign.erased.facts.dropped{topic}. */
@Singleton
public class ErasedFacts extends ErasedFactsDropped {
    ErasedFacts(MeterRegistry registry) {
        super(registry, "campaign", Topics.CHURN_SCORES, Topics.MEMBER_SEGMENTS, Topics.MEMBER_EVENTS, Topics.MEMBER_MERGES);
    }
}
