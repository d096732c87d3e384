package io.memberpulse.campaign;

import io.memberpulse.campaign.domain.experiment.Activity;
import io.memberpulse.campaign.domain.experiment.BeforeAfter;
import io.memberpulse.campaign.domain.experiment.Campaign;
import io.memberpulse.campaign.store.CampaignActivityRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Watching a campaign: live participation, conversion and repurchase per arm, overall and per store;
 * and the before/after review (active rate, repurchase rate, order value, response rate, ROI), each
 * measured against the holdout. "Before" is a window as long as the campaign's so far, ending at its start.
 */
@ApplicationScoped
public class MonitorCampaignsService {
    private final RunCampaignsService campaigns;
    private final CampaignActivityRepository activity;
    private final Clock clock;

    MonitorCampaignsService(RunCampaignsService campaigns, CampaignActivityRepository activity, Clock clock) {
        this.campaigns = campaigns;
        this.activity = activity;
        this.clock = clock;
    }

    public Uni<Activity.Live> live(String id) {
        return campaigns.campaign(id).flatMap(campaign -> activity.activity(id, campaign.startAt(), end(campaign),
                campaign.makesCalls()).map(Activity::of));
    }

    public Uni<BeforeAfter> beforeAfter(String id) {
        return campaigns.campaign(id).flatMap(campaign -> {
            Instant end = end(campaign);
            Duration length = Duration.between(campaign.startAt(), end);
            return activity.activity(id, campaign.startAt().minus(length), campaign.startAt(), false)
                    .flatMap(before -> activity.activity(id, campaign.startAt(), end, campaign.makesCalls())
                            .flatMap(after -> campaigns.review(id).map(review -> BeforeAfter.of(before, after, review.roi()))));
        });
    }

    /** The window so far: from the start to now, or to the end once it passed (never before the start). */
    private Instant end(Campaign campaign) {
        Instant now = clock.instant();
        Instant end = campaign.endAt().isBefore(now) ? campaign.endAt() : now;
        return end.isBefore(campaign.startAt()) ? campaign.startAt() : end;
    }
}
