package io.memberpulse.campaign.domain.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class NextTargetTest {
    private static final Offset<Double> EXACT = Offset.offset(1e-9);

    /**
     * n members of one arm in one segment, the first {@code converted} of them each with the given net gain, the rest
     * with none; gains alternate ± spread around it so that the arm has a variance.
     */
    private static List<NextTarget.EnrolledMember> members(String segment, Arm arm, int n, int converted, double gain,
            double spread) {
        List<NextTarget.EnrolledMember> members = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double g = i < converted ? gain + (i % 2 == 0 ? spread : -spread) : 0;
            members.add(new NextTarget.EnrolledMember(arm, i < converted, g, List.of(segment)));
        }
        return members;
    }

    private static List<NextTarget.EnrolledMember> all(List<List<NextTarget.EnrolledMember>> parts) {
        return parts.stream().flatMap(List::stream).toList();
    }

    @Test
    void segmentsAreRankedByGainUpliftOverTheirOwnHoldoutPerUnitOfCost() {
        var ranked = NextTarget.rank(NextTarget.bySegment(all(List.of(
                members("buys-anyway", Arm.TREATED, 100, 60, 30, 5), members("buys-anyway", Arm.HOLDOUT, 100, 60, 30, 5),
                members("responds", Arm.TREATED, 100, 40, 30, 5), members("responds", Arm.HOLDOUT, 100, 20, 30, 5),
                members("too-small", Arm.TREATED, 5, 5, 30, 5), members("too-small", Arm.HOLDOUT, 5, 0, 30, 5)))), 6, 20);
        assertThat(ranked).extracting(NextTarget.SegmentUplift::segmentId).containsExactly("responds", "buys-anyway");
        // The conversion figures stay in the answer.
        assertThat(ranked.get(0).upliftPerCost()).isCloseTo(0.2 / 6, EXACT);
        // 40 × 30 − 20 × 30 over 100 members: 6 a member more, per 6 of cost.
        assertThat(ranked.get(0).gainUplift().value()).isCloseTo(6, EXACT);
        assertThat(ranked.get(0).gainUpliftPerCost()).isCloseTo(1, EXACT);
        assertThat(ranked.get(0).gainUpliftLowPerCost()).isCloseTo(ranked.get(0).gainUplift().low() / 6, EXACT);
    }

    /**
     * DOMAIN.md judges campaigns on margin net of coupons: promotion-sensitive members convert best (+30 points,
     * each purchase earning about 1 net of the coupon), loyal ones less (+10 points, 40 each).
     * Ranked by the conversion uplift the coupon hunters led; by the gain uplift's lower bound the loyal ones do.
     */
    @Test
    void aSegmentThatConvertsBestButEarnsLeastDoesNotLead() {
        var ranked = NextTarget.rank(NextTarget.bySegment(all(List.of(
                members("coupon-hunters", Arm.TREATED, 400, 200, 1, 0.5), members("coupon-hunters", Arm.HOLDOUT, 400, 80, 1, 0.5),
                members("loyal", Arm.TREATED, 400, 120, 40, 10), members("loyal", Arm.HOLDOUT, 400, 80, 40, 10)))), 2, 20);
        assertThat(ranked).extracting(NextTarget.SegmentUplift::segmentId).containsExactly("loyal", "coupon-hunters");
        assertThat(ranked.get(1).uplift().low()).isGreaterThan(ranked.get(0).uplift().high());
        assertThat(ranked.get(0).gainUplift().low()).isGreaterThan(ranked.get(1).gainUplift().high());
    }

    /**
     * A 20-against-20 segment with a high but noisy gain uplift against a 5,000-member one with a sure smaller one:
     * ranked by the point estimate the small noisy segment led; by the interval's lower bound the large one does.
     */
    @Test
    void smallNoisySegmentsDoNotLeadTheRanking() {
        var ranked = NextTarget.rank(NextTarget.bySegment(all(List.of(
                members("noisy", Arm.TREATED, 20, 8, 60, 50), members("noisy", Arm.HOLDOUT, 20, 5, 60, 50),
                members("large", Arm.TREATED, 5000, 1500, 30, 10), members("large", Arm.HOLDOUT, 5000, 1100, 30, 10)))), 6, 20);
        assertThat(ranked).extracting(NextTarget.SegmentUplift::segmentId).containsExactly("large", "noisy");
        assertThat(ranked.get(1).gainUplift().value()).isGreaterThan(ranked.get(0).gainUplift().value());
        assertThat(ranked.get(0).gainUplift().low()).isPositive();
        assertThat(ranked.get(1).gainUplift().low()).isNegative();
    }

    /**
     * The net gains next-targets compares add up to the review's gain less the coupons' cost: a treated member paid
     * 90 with the campaign's 10 coupon, a held-out one 100, all at the default 30%.
     */
    @Test
    void netGainsAddUpToTheReviewsGainLessTheCoupons() {
        var paidWithCoupon = new CampaignReview.MemberWindow(Arm.TREATED, 1, 90, 0, 90);
        var treatedIdle = new CampaignReview.MemberWindow(Arm.TREATED, 0, 0, 0, 0);
        var paidInFull = new CampaignReview.MemberWindow(Arm.HOLDOUT, 1, 100, 0, 100);
        var heldIdle = new CampaignReview.MemberWindow(Arm.HOLDOUT, 0, 0, 0, 0);
        var coupon = CampaignReview.RedeemedCoupons.atTheDefaultRate(1);
        var none = CampaignReview.RedeemedCoupons.atTheDefaultRate(0);
        var review = CampaignReview.of(List.of(paidWithCoupon, treatedIdle, paidInFull, heldIdle),
                new CampaignReview.Costs(0, 0, 0, coupon, 10), 0.3);
        double treated = CampaignReview.netGain(paidWithCoupon, coupon, 10, 0.3) + CampaignReview.netGain(treatedIdle, none, 10, 0.3);
        double holdout = CampaignReview.netGain(paidInFull, none, 10, 0.3) + CampaignReview.netGain(heldIdle, none, 10, 0.3);
        assertThat(CampaignReview.netGain(paidWithCoupon, coupon, 10, 0.3)).isCloseTo(27 + 3 - 10, EXACT);
        assertThat((treated / 2 - holdout / 2) * 2).isCloseTo(review.incrementalGain() - review.cost(), EXACT);
    }

    /** A member in two segments counts in both; the segments come in id order before ranking. */
    @Test
    void membersCountInEverySegmentTheyWereInWhenEnrolled() {
        var counts = NextTarget.bySegment(List.of(
                new NextTarget.EnrolledMember(Arm.TREATED, true, 12, List.of("b", "a")),
                new NextTarget.EnrolledMember(Arm.HOLDOUT, false, 0, List.of("a"))));
        assertThat(counts).extracting(NextTarget.SegmentCounts::segmentId).containsExactly("a", "b");
        assertThat(counts.get(0).treated()).isEqualTo(1);
        assertThat(counts.get(0).treatedConverted()).isEqualTo(1);
        assertThat(counts.get(0).holdout()).isEqualTo(1);
        assertThat(counts.get(0).treatedGain().mean()).isEqualTo(12);
        assertThat(counts.get(1).holdout()).isZero();
    }
}
