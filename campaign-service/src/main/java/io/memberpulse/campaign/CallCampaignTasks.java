package io.memberpulse.campaign;

import io.memberpulse.campaign.domain.experiment.Campaign;
import io.memberpulse.campaign.store.CampaignRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * What a call campaign's going live and ending do to the call tasks. Live: the stores of its members and of their
 * OPEN calls are replanned, so held-out members lose their calls wherever they are and treated members' calls count
 * for it. Ended (review): the same stores are replanned, where the churn SOP may pick its held-out members again.
 */
@ApplicationScoped
class CallCampaignTasks {
    private final CampaignRepository campaigns;
    private final ReplanStoresService replanner;

    CallCampaignTasks(CampaignRepository campaigns, ReplanStoresService replanner) {
        this.campaigns = campaigns;
        this.replanner = replanner;
    }

    /** After the campaign moved to its state (committed). */
    Uni<Void> follow(Campaign campaign) {
        if (!campaign.makesCalls()) {
            return Uni.createFrom().voidItem();
        }
        return switch (campaign.state()) {
            case LIVE, REVIEW -> campaigns.storesOf(campaign.id()).flatMap(replanner::replan);
            default -> Uni.createFrom().voidItem();
        };
    }
}
