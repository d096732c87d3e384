package io.memberpulse.campaign;

import io.memberpulse.campaign.domain.CampaignNotFoundException;
import io.memberpulse.campaign.domain.InvalidArgumentException;
import io.memberpulse.campaign.domain.experiment.Arm;
import io.memberpulse.campaign.domain.experiment.Assignment;
import io.memberpulse.campaign.domain.experiment.Campaign;
import io.memberpulse.campaign.domain.experiment.CampaignReview;
import io.memberpulse.campaign.domain.experiment.CampaignState;
import io.memberpulse.campaign.domain.experiment.SampleSize;
import io.memberpulse.campaign.domain.experiment.NextTarget;
import io.memberpulse.campaign.store.CampaignRepository;
import io.memberpulse.campaign.store.MemberSegmentRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;

/**
 * Campaigns from plan to close: planning answers with the audience and a sample-size hint; going live
 * enrols the audience into treated and holdout by the sticky hash; the review compares the arms.
 */
@ApplicationScoped
public class RunCampaignsService {
    /** Segments with fewer members than this in either arm are not ranked. */
    private static final long MIN_MEMBERS_PER_ARM = 20;

    private final CampaignRepository campaigns;
    private final MemberSegmentRepository segments;
    private final double costPerCall;

    public RunCampaignsService(CampaignRepository campaigns, MemberSegmentRepository segments, CampaignConfig config) {
        this.campaigns = campaigns;
        this.segments = segments;
        this.costPerCall = config.campaign().costPerCall();
    }

    /** A planned campaign, its audience today and the members each arm needs to see the hoped-for uplift. */
    public record Plan(Campaign campaign, long audience, long sampleSizePerArm, long holdoutExpected) {
    }

    public Uni<Plan> plan(Campaign campaign, double baselineRate, double minimumUplift) {
        if (campaign.state() != CampaignState.PLAN) {
            throw new InvalidArgumentException("state", "a new campaign starts in plan");
        }
        long perArm = SampleSize.perArm(baselineRate, minimumUplift);
        return Panache.withTransaction(() -> campaigns.save(campaign, Instant.now()))
                .flatMap(saved -> campaigns.audienceSize(campaign.targetMinProbability(), campaign.targetStoreId())
                        .map(audience -> new Plan(saved, audience, perArm, Math.round(audience * campaign.holdoutShare()))));
    }

    public Uni<Campaign> campaign(String id) {
        return Panache.withSession(() -> campaigns.campaign(id))
                .onItem().ifNull().failWith(() -> new CampaignNotFoundException(id));
    }

    public Uni<List<Campaign>> all() {
        return Panache.withSession(campaigns::all);
    }

    /** Moves the campaign one step; going live enrols its audience. */
    public Uni<Campaign> moveTo(String id, CampaignState next) {
        Instant now = Instant.now();
        return Panache.withTransaction(() -> campaigns.campaign(id)
                .onItem().ifNull().failWith(() -> new CampaignNotFoundException(id))
                .map(campaign -> campaign.moveTo(next))
                .flatMap(moved -> campaigns.save(moved, now)))
                .call(moved -> moved.state() == CampaignState.LIVE ? campaigns.enrol(moved, now) : Uni.createFrom().voidItem());
    }

    public Uni<Assignment> assignment(String id, String memberId) {
        return campaign(id).map(campaign -> campaign.assign(memberId));
    }

    /** The segments to target next, best response per unit of cost first (measured against each segment's holdout). */
    public Uni<List<NextTarget.SegmentUplift>> nextTargets(String id) {
        return campaign(id).flatMap(campaign -> {
            Instant end = campaign.endAt().isBefore(Instant.now()) ? campaign.endAt() : Instant.now();
            double costPerMember = "call".equals(campaign.channel()) ? costPerCall : campaign.costPerTouch();
            return segments.responseBySegment(id, campaign.startAt(), end).map(rows -> NextTarget.rank(rows.stream()
                    .map(r -> new NextTarget.SegmentCounts(r.segmentId(), r.treated(), r.treatedConverted(), r.holdout(),
                            r.holdoutConverted()))
                    .toList(), costPerMember, MIN_MEMBERS_PER_ARM));
        });
    }

    /** The review as of now: arms, uplifts with 95% intervals, cost and ROI against the holdout. */
    public Uni<CampaignReview> review(String id) {
        return campaign(id).flatMap(campaign -> campaigns.windows(campaign, Instant.now())
                .flatMap(windows -> campaigns.couponsRedeemed(id).map(coupons -> {
                    boolean calls = "call".equals(campaign.channel());
                    long treated = windows.stream().filter(w -> w.arm() == Arm.TREATED).count();
                    var costs = new CampaignReview.Costs(calls ? 0 : campaign.costPerTouch(), calls ? treated : 0,
                            costPerCall, coupons, campaign.couponValue());
                    return CampaignReview.of(windows, costs);
                })));
    }
}
