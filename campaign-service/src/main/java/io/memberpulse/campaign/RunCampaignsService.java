package io.memberpulse.campaign;

import io.memberpulse.campaign.domain.CampaignNotFoundException;
import io.memberpulse.campaign.domain.CategoryMarginRates;
import io.memberpulse.campaign.domain.experiment.Assignment;
import io.memberpulse.campaign.domain.experiment.Campaign;
import io.memberpulse.campaign.domain.experiment.CampaignReview;
import io.memberpulse.campaign.domain.experiment.NextTarget;
import io.memberpulse.campaign.domain.MemberNotFoundException;
import io.memberpulse.campaign.store.CampaignRepository;
import io.memberpulse.campaign.store.KnownStoreRepository;
import io.memberpulse.campaign.store.MemberSegmentRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.Currency;
import java.util.List;

/** Reading campaigns: one or all, a member's arm, the review against the holdout, whom to target next. */
@ApplicationScoped
public class RunCampaignsService {
    /** Segments with fewer members than this in either arm are not ranked. */
    private static final long MIN_MEMBERS_PER_ARM = 20;
    private static final CampaignReview.RedeemedCoupons NO_COUPONS = CampaignReview.RedeemedCoupons.atTheDefaultRate(0);

    private final CampaignRepository campaigns;
    private final MemberSegmentRepository segments;
    private final double costPerCall;
    private final double defaultMarginRate;
    private final CategoryMarginRates categoryMarginRates;
    private final Currency currency;
    private final Clock clock;
    private final KnownStoreRepository stores;

    public RunCampaignsService(CampaignRepository campaigns, MemberSegmentRepository segments, CampaignConfig config,
            Clock clock, KnownStoreRepository stores) {
        this.stores = stores;
        this.clock = clock;
        this.campaigns = campaigns;
        this.segments = segments;
        this.costPerCall = config.campaign().costPerCall();
        // Within (0, 1]: checked when the configuration is read, at start (MarginRateConverter).
        this.defaultMarginRate = config.campaign().defaultMarginRate();
        // Each rate within (0, 1] too, checked at start (CategoryMarginRatesConverter).
        this.categoryMarginRates = config.campaign().categoryMarginRates().orElse(CategoryMarginRates.NONE);
        this.currency = config.campaign().currency();
    }

    public Uni<Campaign> campaign(String id) {
        return Panache.withSession(() -> campaigns.campaign(id))
                .onItem().ifNull().failWith(() -> new CampaignNotFoundException(id));
    }

    public Uni<List<Campaign>> all() {
        return Panache.withSession(campaigns::all);
    }

    /**
     * The ISO 4217 currency of every amount of the campaigns (memberpulse.campaign.currency): their figures are plain
     * numbers, which the api layer answers with this beside them.
     */
    public Currency currency() {
        return currency;
    }

    /**
     * A member's arm and variant in a campaign.
     *
     * @param memberId the member whose assignment it is: the one asked about, or the final survivor a merge absorbed
     *                 them into
     */
    public record MemberAssignment(String memberId, Assignment assignment) {
    }

    /**
     * The assignment that applies to the person, as they were enrolled (campaign_member): a member a merge absorbed is
     * the survivor now (the survivor's arm decides their calls, their purchases count for the survivor's enrolment),
     * though the absorbed id's own enrolment stays as it was. Fails with MemberNotFoundException for a member nothing
     * named, and for one not enrolled in the campaign (another store, below its target, enrolled by none of its moves
     * yet: a planned campaign has nobody; for an absorbed member, a survivor not enrolled), whose arm the hash would
     * give but who is in neither arm.
     */
    public Uni<MemberAssignment> assignment(String id, String memberId) {
        return campaign(id).flatMap(campaign -> stores.knownAs(memberId).flatMap(person -> {
            if (person == null) {
                return Uni.createFrom().failure(new MemberNotFoundException(memberId));
            }
            return campaigns.enrolment(campaign.id(), person).map(enrolled -> {
                if (enrolled == null) {
                    throw new MemberNotFoundException(person, campaign.id());
                }
                return new MemberAssignment(person, enrolled);
            });
        }));
    }

    /**
     * The segments to target next, surest gain per unit of cost first (the lower bound of the net gain uplift's
     * interval, margin net of coupons, measured against each segment's holdout: NextTarget), with their conversion
     * uplifts. Cost per member is a call's for a call campaign, else a touch's: the coupons are in the net gain.
     */
    public Uni<List<NextTarget.SegmentUplift>> nextTargets(String id) {
        return campaign(id).flatMap(campaign -> {
            // The review's window, [start, min(end, now)), read with the review's own statements.
            Instant now = clock.instant();
            double costPerMember = "call".equals(campaign.channel()) ? costPerCall : campaign.costPerTouch();
            return campaigns.enrolledWindows(campaign, now, categoryMarginRates)
                    .flatMap(windows -> campaigns.couponsRedeemedByMember(campaign, now, categoryMarginRates)
                    .map(coupons -> NextTarget.rank(NextTarget.bySegment(windows.stream()
                            .map(w -> new NextTarget.EnrolledMember(w.window().arm(), w.window().orders() > 0,
                                    CampaignReview.netGain(w.window(), coupons.getOrDefault(w.memberId(), NO_COUPONS),
                                            campaign.couponValue(), defaultMarginRate),
                                    w.segments()))
                            .toList()), costPerMember, MIN_MEMBERS_PER_ARM)));
        });
    }

    /**
     * The review as of now: arms, uplifts with 95% intervals, cost and ROI (on gross margin) against the holdout, and
     * each of the campaign's variants against the same holdout.
     */
    public Uni<CampaignReview> review(String id) {
        return campaign(id).flatMap(campaign -> {
            // One window for revenue and coupons alike: [start, min(end, now)).
            Instant now = clock.instant();
            // Coupons are priced at the rates of the orders they were used on, as refunds are: the same rates.
            return campaigns.windows(campaign, now, categoryMarginRates)
                    .flatMap(windows -> campaigns.couponsRedeemed(campaign, now, categoryMarginRates)
                    .flatMap(coupons -> campaigns.callsMade(id).flatMap(calls -> campaigns.excludedForOverlap(id).map(excluded -> {
                        // A call campaign costs the calls staff actually made (outcomes recorded), not one per treated member.
                        var costs = new CampaignReview.Costs(campaign.makesCalls() ? 0 : campaign.costPerTouch(), calls,
                                costPerCall, coupons, campaign.couponValue());
                        return CampaignReview.of(windows, costs, defaultMarginRate, campaign.variants())
                                .withExcludedForOverlap(excluded);
                    }))));
        });
    }
}
