package io.memberpulse.campaign;

import io.memberpulse.campaign.domain.experiment.Campaign;
import io.memberpulse.campaign.domain.experiment.CampaignState;
import io.memberpulse.campaign.store.CallTaskRepository;
import io.memberpulse.campaign.store.CampaignRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a call campaign's going live and ending do to the call tasks. Live: the stores of its members and of their
 * OPEN calls are replanned, so held-out members lose their calls wherever they are and treated members' calls count
 * for it. Ended (review): its OPEN calls count for it no more, and its held-out members are ordinary members again. Those whose segment-rule call the holdout
 * cancelled and who are still in the segment get that rule's call as on entering it (unless another live call
 * campaign holds them out, they have an OPEN call, a call made puts them in the cool-down or they opted out), then
 * the same stores are replanned, where the churn SOP may pick them again.
 */
@ApplicationScoped
class CallCampaignTasks {
    private final CampaignRepository campaigns;
    private final CallTaskRepository tasks;
    private final SegmentTaskPlanner segmentRules;
    private final ReplanStoresService replanner;
    private final Clock clock;

    CallCampaignTasks(CampaignRepository campaigns, CallTaskRepository tasks, SegmentTaskPlanner segmentRules,
            ReplanStoresService replanner, Clock clock) {
        this.campaigns = campaigns;
        this.tasks = tasks;
        this.segmentRules = segmentRules;
        this.replanner = replanner;
        this.clock = clock;
    }

    /**
     * After the campaign moved to the state (committed), or again when that did not finish: each step may run again
     * (replans are idempotent; a call given back is OPEN, so the rule's latest task is no longer the held-out one).
     */
    Uni<Void> follow(Campaign campaign, CampaignState state) {
        if (!campaign.makesCalls()) {
            return Uni.createFrom().voidItem();
        }
        return switch (state) {
            case LIVE -> campaigns.storesOf(campaign.id()).flatMap(replanner::replan);
            case REVIEW -> Panache.withTransaction(() -> tasks.releaseFrom(campaign.id()))
                    .chain(() -> giveBackSegmentCalls(campaign.id())).flatMap(stores -> campaigns.storesOf(campaign.id())
                    .flatMap(enrolled -> {
                        stores.addAll(enrolled);
                        return replanner.replan(stores);
                    }));
            default -> Uni.createFrom().voidItem();
        };
    }

    /** Returns the stores where a call was opened again. */
    private Uni<Set<String>> giveBackSegmentCalls(String campaignId) {
        Instant now = clock.instant();
        return campaigns.heldOutSegmentEntries(campaignId, segmentRules.originBySegment())
                .flatMap(entries -> entries.isEmpty() ? Uni.createFrom().<Set<String>>item(new TreeSet<>())
                        : Panache.withTransaction(() -> segmentRules.apply(entries, now)));
    }
}
