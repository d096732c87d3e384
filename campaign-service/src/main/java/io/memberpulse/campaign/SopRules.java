package io.memberpulse.campaign;

import io.memberpulse.campaign.domain.InterventionSop;
import io.memberpulse.campaign.domain.SegmentRules;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.stream.Collectors;

/**
 * The human-intervention SOP's rules, built once from the configuration: the churn rule (top share at risk) and the
 * segment-entry rules. Every planner that applies them injects these, so they are read from the configuration in one
 * place (the domain rules themselves never read it).
 */
class SopRules {

    @Produces
    @Singleton
    InterventionSop churnRule(CampaignConfig config) {
        return new InterventionSop(config.campaign().sopTopShare(), config.campaign().minProbability());
    }

    /** The configured rules by segment; two rules on one segment: the sooner due. */
    @Produces
    @Singleton
    SegmentRules segmentRules(CampaignConfig config) {
        return new SegmentRules(config.campaign().segmentRules().values().stream().collect(Collectors.toMap(
                CampaignConfig.SegmentRule::segment, rule -> Duration.ofHours(rule.dueHours()),
                (a, b) -> a.compareTo(b) <= 0 ? a : b)));
    }
}
