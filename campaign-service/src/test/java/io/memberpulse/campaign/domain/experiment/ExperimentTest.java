package io.memberpulse.campaign.domain.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.memberpulse.campaign.domain.CampaignStateConflictException;
import io.memberpulse.campaign.domain.InvalidArgumentException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExperimentTest {

    @Test
    void assignmentIsStickyAndHoldsOutTheConfiguredShare() {
        int holdout = 0;
        Map<String, Integer> variants = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            Assignment first = Assignment.of("c1", "m" + i, 0.2, List.of("morning", "evening"));
            assertThat(Assignment.of("c1", "m" + i, 0.2, List.of("morning", "evening"))).isEqualTo(first);
            if (first.arm() == Arm.HOLDOUT) {
                holdout++;
            } else {
                variants.merge(first.variant(), 1, Integer::sum);
            }
        }
        assertThat(holdout / 20_000.0).isCloseTo(0.2, within(0.01));
        assertThat(variants.get("morning") / (double) (20_000 - holdout)).isCloseTo(0.5, within(0.015));
    }

    @Test
    void anotherCampaignDrawsAgain() {
        long same = 0;
        for (int i = 0; i < 2_000; i++) {
            same += Assignment.of("c1", "m" + i, 0.5, List.of()).arm() == Assignment.of("c2", "m" + i, 0.5, List.of()).arm() ? 1 : 0;
        }
        assertThat(same / 2_000.0).isCloseTo(0.5, within(0.05));
    }

    @Test
    void upliftOfProportionsHasNewcombesHybridScoreInterval() {
        // Newcombe (1998), Statistics in Medicine 17:873, table II: 56/70 against 48/80 gives 0.2000 (0.0524, 0.3339).
        Estimate uplift = Estimate.differenceOfProportions(56, 70, 48, 80);
        assertThat(uplift.value()).isCloseTo(0.2, within(1e-12));
        assertThat(uplift.low()).isCloseTo(0.0524, within(5e-5));
        assertThat(uplift.high()).isCloseTo(0.3339, within(5e-5));
        assertThat(uplift.significant()).isTrue();
        assertThat(Estimate.differenceOfProportions(21, 100, 20, 100).significant()).isFalse();
        // Large arms: close to the Wald interval.
        Estimate large = Estimate.differenceOfProportions(290, 1000, 180, 1000);
        double se = Math.sqrt(0.29 * 0.71 / 1000 + 0.18 * 0.82 / 1000);
        assertThat(large.low()).isCloseTo(0.11 - 1.959964 * se, within(2e-3));
        assertThat(large.high()).isCloseTo(0.11 + 1.959964 * se, within(2e-3));
        // Small arms, where the Wald interval collapses to [0, 0] or calls one held-out member significant.
        Estimate nothingEither = Estimate.differenceOfProportions(0, 9, 0, 1);
        assertThat(nothingEither.high() - nothingEither.low()).isGreaterThan(0.5);
        assertThat(Estimate.differenceOfProportions(3, 9, 0, 1).significant()).isFalse();
    }

    @Test
    void sampleSizeForEighteenPercentBaselineAndFivePoints() {
        // (1.96 + 0.8416)^2 * (0.18*0.82 + 0.23*0.77) / 0.05^2 = 1019.2 -> 1020
        assertThat(SampleSize.perArm(0.18, 0.05)).isEqualTo(1020);
        assertThat(SampleSize.perArm(0.18, 0.10)).isLessThan(SampleSize.perArm(0.18, 0.05));
        assertThatThrownBy(() -> SampleSize.perArm(0.18, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * 1e-12 cast 7.8e24 members to Long.MAX_VALUE, and 1e-200 squared to 0 (Infinity, the same cast): a plan stored
     * that meaningless hint. An uplift below a tenth of a point is refused; at it the hint is a finite count.
     */
    @Test
    void anUpliftTooSmallToMeasureIsRefusedRatherThanSizedAtLongMax() {
        for (double tiny : new double[] {1e-12, 1e-200, Double.MIN_VALUE, 0.0009}) {
            assertThatThrownBy(() -> SampleSize.perArm(0.18, tiny)).as("uplift %s", tiny)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("must be at least 0.001 (a tenth of a percentage point), not " + tiny
                            + ": a smaller uplift needs more members per arm than a campaign can enrol");
        }
        long smallest = SampleSize.perArm(0.18, 0.001);
        assertThat(smallest).isGreaterThan(SampleSize.perArm(0.18, 0.01)).isLessThan(10_000_000L);
        // the widest variance, p(1−p) near 0.25 in both arms, stays far from a long's range too
        assertThat(SampleSize.perArm(0.4995, 0.001)).isLessThan(10_000_000L);
    }

    /** A window of one ¥amount order whose line carries no margin rate (the default prices it). */
    private static CampaignReview.MemberWindow unrated(Arm arm, int orders, double amount) {
        return new CampaignReview.MemberWindow(arm, orders, amount, 0, amount);
    }

    @Test
    void theReviewComparesArmsAndPricesTheCampaign() {
        List<CampaignReview.MemberWindow> members = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            members.add(unrated(Arm.TREATED, i < 30 ? 1 : 0, i < 30 ? 100 : 0));
        }
        for (int i = 0; i < 100; i++) {
            members.add(unrated(Arm.HOLDOUT, i < 20 ? 1 : 0, i < 20 ? 100 : 0));
        }
        CampaignReview review = CampaignReview.of(members, new CampaignReview.Costs(0, 100, 6, 0, 0), 0.30);
        assertThat(review.treated().conversionRate()).isEqualTo(0.3);
        assertThat(review.holdout().conversionRate()).isEqualTo(0.2);
        assertThat(review.conversionUplift().value()).isCloseTo(0.1, within(1e-12));
        assertThat(review.revenuePerMemberUplift().value()).isCloseTo(10, within(1e-9));
        assertThat(review.cost()).isEqualTo(600);
        assertThat(review.incrementalRevenue()).isCloseTo(1000, within(1e-9));
        // On margin: each ¥100 order earns ¥30 at the default 30%, so ¥3 more a treated member (0.3 × 30 − 0.2 × 30),
        // ¥300 for the 100 treated against ¥600 of calls: ROI 0.5, a loss. On revenue it read 1000 / 600 = 1.67.
        assertThat(review.treated().marginPerMember()).isCloseTo(9, within(1e-9));
        assertThat(review.holdout().marginPerMember()).isCloseTo(6, within(1e-9));
        assertThat(review.marginPerMemberUplift().value()).isCloseTo(3, within(1e-9));
        assertThat(review.incrementalGain()).isCloseTo(300, within(1e-9));
        assertThat(review.roi()).isCloseTo(0.5, within(1e-9));
    }

    /**
     * Gain and ROI on gross margin, line by line. Treated: one ¥100 line at its own 50% (margin 50), and one order of
     * a ¥60 line without a rate and a ¥40 line at 20% (margin 0.3 × 60 + 0.2 × 40 = 18 + 8 = 26), whose member
     * redeemed the campaign's ¥10 coupon (paid net of it). Held out: a ¥50 line without a rate (margin 15), and a
     * member who bought nothing. Revenue per member 100 against 25, uplift 75; margin per member (50 + 26) / 2 = 38
     * against 7.5, uplift 30.5. Cost: 2 touches at ¥1 + the ¥10 coupon = 12. Gain: 30.5 × 2 treated + the coupon's
     * margin 10 × 0.3 = 61 + 3 = 64, ROI 64 / 12 = 5.33. On revenue it was (75 × 2 + 10) / 12 = 13.33.
     */
    @Test
    void theGainIsTheMarginUpliftWithEachLinesRateOrTheDefaultAndTheCouponsMargin() {
        List<CampaignReview.MemberWindow> members = List.of(
                new CampaignReview.MemberWindow(Arm.TREATED, 1, 100, 50, 0),
                new CampaignReview.MemberWindow(Arm.TREATED, 1, 100, 8, 60),
                unrated(Arm.HOLDOUT, 1, 50),
                unrated(Arm.HOLDOUT, 0, 0));
        CampaignReview review = CampaignReview.of(members, new CampaignReview.Costs(1, 0, 6, 1, 10), 0.30);
        assertThat(review.revenuePerMemberUplift().value()).as("what REST reported before: kept").isCloseTo(75, within(1e-9));
        assertThat(review.incrementalRevenue()).isCloseTo(160, within(1e-9));
        assertThat(review.treated().marginPerMember()).isCloseTo(38, within(1e-9));
        assertThat(review.holdout().marginPerMember()).isCloseTo(7.5, within(1e-9));
        assertThat(review.marginPerMemberUplift().value()).isCloseTo(30.5, within(1e-9));
        assertThat(review.cost()).isEqualTo(12);
        assertThat(review.incrementalGain()).isCloseTo(64, within(1e-9));
        assertThat(review.roi()).isCloseTo(64 / 12.0, within(1e-9));
        // The margin uplift's interval is Welch's on the members' margins, {50, 26} against {15, 0}; the ROI's follows it.
        Estimate margin = Estimate.differenceOfMeans(Estimate.Summary.of(new double[] {50, 26}),
                Estimate.Summary.of(new double[] {15, 0}));
        assertThat(review.marginPerMemberUplift().low()).isCloseTo(margin.low(), within(1e-9));
        assertThat(review.marginPerMemberUplift().high()).isCloseTo(margin.high(), within(1e-9));
        assertThat(review.roiLow()).isCloseTo((margin.low() * 2 + 3) / 12, within(1e-9));
        assertThat(review.roiHigh()).isCloseTo((margin.high() * 2 + 3) / 12, within(1e-9));

        // Another default prices only the lines without a rate and the coupon: at 10%, margins 50, 8 + 6 = 14 and 5:
        // uplift (50 + 14) / 2 − 5 / 2 = 29.5, gain 59 + 1 = 60, ROI 5.
        CampaignReview lowDefault = CampaignReview.of(members, new CampaignReview.Costs(1, 0, 6, 1, 10), 0.10);
        assertThat(lowDefault.marginPerMemberUplift().value()).isCloseTo(29.5, within(1e-9));
        assertThat(lowDefault.incrementalGain()).isCloseTo(60, within(1e-9));
        assertThat(lowDefault.roi()).isCloseTo(5, within(1e-9));
    }

    /**
     * A redeemed coupon's margin is added back at the rate of the order it was used on. The members of the test above,
     * the ¥10 coupon used on an order of a ¥60 line at 50% and a ¥40 line without a rate: RedeemedCoupons(1,
     * 0.6 × 0.5 = 0.3, 0.4), the order's rate 0.3 + 0.4 × 0.30 = 0.42 at the default 30%. Gain 30.5 × 2 + 10 × 0.42 = 65.2 (64 with the coupon at the default), ROI
     * 65.2 / 12; its interval moves with it. At a default of 10%, the rate is 0.34: gain 59 + 3.4 = 62.4.
     */
    @Test
    void aCouponsMarginIsAtTheRateOfTheOrderItWasUsedOn() {
        List<CampaignReview.MemberWindow> members = List.of(
                new CampaignReview.MemberWindow(Arm.TREATED, 1, 100, 50, 0),
                new CampaignReview.MemberWindow(Arm.TREATED, 1, 100, 8, 60),
                unrated(Arm.HOLDOUT, 1, 50),
                unrated(Arm.HOLDOUT, 0, 0));
        var coupons = new CampaignReview.RedeemedCoupons(1, 0.3, 0.4);
        CampaignReview review = CampaignReview.of(members, new CampaignReview.Costs(1, 0, 6, coupons, 10), 0.30);
        assertThat(review.cost()).isEqualTo(12);
        assertThat(review.incrementalRevenue()).as("the coupon's value, whatever its order").isCloseTo(160, within(1e-9));
        assertThat(review.incrementalGain()).isCloseTo(65.2, within(1e-9));
        assertThat(review.roi()).isCloseTo(65.2 / 12, within(1e-9));
        Estimate margin = review.marginPerMemberUplift();
        assertThat(review.roiLow()).isCloseTo((margin.low() * 2 + 4.2) / 12, within(1e-9));
        assertThat(review.roiHigh()).isCloseTo((margin.high() * 2 + 4.2) / 12, within(1e-9));

        CampaignReview lowDefault = CampaignReview.of(members, new CampaignReview.Costs(1, 0, 6, coupons, 10), 0.10);
        assertThat(lowDefault.incrementalGain()).isCloseTo(62.4, within(1e-9));
    }

    /**
     * A coupon that changes nothing: treated members pay ¥90 with a ¥10 coupon (paid_amount is net of it), held-out
     * ones pay ¥100, all at the default 30%. The loss is the coupon and the touch, ¥11 a redeemer, not the coupon
     * twice (¥21): it was once taken off revenue and added to the cost as well. On margin: 27 against 30 a member,
     * −3 × 10 treated, and the ten coupons' margin 10 × 10 × 0.3 = 30 added back: gain 0, the margin of ¥100 of goods
     * either way.
     */
    @Test
    void aCouponIsCountedOnceNotInRevenueAndCostBoth() {
        List<CampaignReview.MemberWindow> members = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            members.add(unrated(Arm.TREATED, 1, 90));
            members.add(unrated(Arm.HOLDOUT, 1, 100));
        }
        CampaignReview review = CampaignReview.of(members, new CampaignReview.Costs(1, 0, 6, 10, 10), 0.30);
        assertThat(review.revenuePerMemberUplift().value()).as("what members paid, net of the coupon").isEqualTo(-10);
        assertThat(review.cost()).isEqualTo(10 * 1 + 10 * 10);
        assertThat(review.incrementalRevenue()).as("revenue before the campaign's own coupon: nothing gained").isZero();
        assertThat(review.marginPerMemberUplift().value()).isCloseTo(-3, within(1e-9));
        assertThat(review.incrementalGain()).as("margin before the campaign's own coupon: nothing gained")
                .isCloseTo(0, within(1e-9));
        assertThat(review.incrementalGain() - review.cost()).as("¥10 coupon + ¥1 touch per redeemer")
                .isCloseTo(-110, within(1e-9));
        assertThat(review.roi()).isCloseTo(0, within(1e-9));
        assertThat(review.isRoiSignificant()).as("ROI 0 in [0, 0]: a sure loss, wholly below break-even").isTrue();
    }

    /**
     * Welch's interval takes Student's t with the Welch–Satterthwaite degrees of freedom. Reference: scipy 1.17
     * stats.ttest_ind(equal_var=False).confidence_interval(0.95): [1,2,3] − [0,1,2] → (−1.26696, 3.26696), 4 df
     * (t 2.776445); [10,20,30] − [0,5,10] → (−5.77700, 35.77700), 2.94 df. z's 1.96 gave ±1.600 for the first,
     * 31% too narrow, and called a 3-against-3 difference significant that is not.
     */
    @Test
    void upliftOfMeansHasWelchsIntervalOnStudentsT() {
        Estimate equal = Estimate.differenceOfMeans(Estimate.Summary.of(new double[] {1, 2, 3}),
                Estimate.Summary.of(new double[] {0, 1, 2}));
        assertThat(equal.value()).isCloseTo(1, within(1e-12));
        assertThat(equal.low()).isCloseTo(-1.2669579, within(1e-6));
        assertThat(equal.high()).isCloseTo(3.2669579, within(1e-6));
        Estimate unequal = Estimate.differenceOfMeans(Estimate.Summary.of(new double[] {10, 20, 30}),
                Estimate.Summary.of(new double[] {0, 5, 10}));
        assertThat(unequal.low()).isCloseTo(-5.7769975, within(1e-6));
        assertThat(unequal.high()).isCloseTo(35.7769975, within(1e-6));
        assertThat(unequal.significant()).as("p = 0.104").isFalse();
        // No spread in either arm: the difference is all there is.
        Estimate flat = Estimate.differenceOfMeans(new Estimate.Summary(3, 5, 0), new Estimate.Summary(3, 2, 0));
        assertThat(flat.low()).isEqualTo(3);
        assertThat(flat.high()).isEqualTo(3);

        // The ROI's interval follows the margin uplift's: 3 treated members, ¥1 a touch. Every line at its own 50%:
        // the margins are {5, 10, 15} against {0, 2.5, 5}, half the revenues, so Welch's interval is half the one
        // above (the degrees of freedom do not change with the scale): uplift 7.5 in (−2.8884988, 17.8884988), and
        // the ROI, 7.5 × 3 / 3, in the same bounds.
        List<CampaignReview.MemberWindow> members = new ArrayList<>();
        for (double[] arm : new double[][] {{10, 20, 30}, {0, 5, 10}}) {
            for (double revenue : arm) {
                members.add(new CampaignReview.MemberWindow(arm[0] == 10 ? Arm.TREATED : Arm.HOLDOUT, 1, revenue,
                        0.5 * revenue, 0));
            }
        }
        CampaignReview review = CampaignReview.of(members, new CampaignReview.Costs(1, 0, 6, 0, 0), 0.30);
        assertThat(review.revenuePerMemberUplift().low()).isCloseTo(-5.7769975, within(1e-6));
        assertThat(review.roi()).isCloseTo(7.5, within(1e-9));
        assertThat(review.roiLow()).isCloseTo(-2.8884988, within(1e-6));
        assertThat(review.roiHigh()).isCloseTo(17.8884988, within(1e-6));
        assertThat(review.isRoiSignificant()).as("the margin uplift's interval spans 0").isFalse();
    }

    /**
     * ROI = gain / cost, so break-even is 1, not 0: an interval wholly above 1 pays back, one wholly below loses part
     * of the spend. Three treated members at margins {10, 11, 12} against held-out {0, 1, 2}: uplift 10 a member,
     * Welch's interval 10 ± 2.2669579 (4 df), gain 30 in [23.20, 36.80]. At ¥10 a touch (cost 30) the ROI is 1 in
     * [0.77, 1.23]: above 0 throughout, yet it cannot be told from break-even (0 called it significant). At ¥2 a
     * touch it pays back for sure, at ¥40 it loses for sure (ROI 0.25 in [0.19, 0.31]).
     */
    @Test
    void theRoiIsJudgedAgainstBreakEvenNotAgainstZero() {
        List<CampaignReview.MemberWindow> members = new ArrayList<>();
        for (double margin : new double[] {10, 11, 12}) {
            members.add(new CampaignReview.MemberWindow(Arm.TREATED, 1, 2 * margin, margin, 0));
            members.add(new CampaignReview.MemberWindow(Arm.HOLDOUT, 1, 2 * (margin - 10), margin - 10, 0));
        }
        CampaignReview breakEven = CampaignReview.of(members, new CampaignReview.Costs(10, 0, 6, 0, 0), 0.30);
        assertThat(breakEven.roi()).isCloseTo(1, within(1e-9));
        assertThat(breakEven.roiLow()).isCloseTo(1 - 2.2669579 / 10, within(1e-6)).isPositive();
        assertThat(breakEven.isRoiSignificant()).as("[0.77, 1.23] spans break-even").isFalse();

        CampaignReview paysBack = CampaignReview.of(members, new CampaignReview.Costs(2, 0, 6, 0, 0), 0.30);
        assertThat(paysBack.roiLow()).isGreaterThan(1);
        assertThat(paysBack.isRoiSignificant()).isTrue();

        CampaignReview loses = CampaignReview.of(members, new CampaignReview.Costs(40, 0, 6, 0, 0), 0.30);
        assertThat(loses.roiHigh()).isLessThan(1).isPositive();
        assertThat(loses.isRoiSignificant()).as("a sure loss of three quarters of the spend").isTrue();
    }

    @Test
    void aReviewWithAnEmptyHoldoutOrNothingSpentClaimsNoUpliftAndNoReturn() {
        List<CampaignReview.MemberWindow> treatedOnly = List.of(unrated(Arm.TREATED, 1, 150),
                unrated(Arm.TREATED, 2, 90), unrated(Arm.TREATED, 0, 0));
        CampaignReview noHoldout = CampaignReview.of(treatedOnly, new CampaignReview.Costs(1, 0, 6, 0, 0), 0.30);
        // Not the treated arm's whole 80 per member passed off as uplift over an empty holdout.
        assertThat(noHoldout.revenuePerMemberUplift().value()).isNaN();
        assertThat(noHoldout.conversionUplift().value()).isNaN();
        assertThat(noHoldout.marginPerMemberUplift().value()).isNaN();
        assertThat(noHoldout.incrementalRevenue()).isZero();
        assertThat(noHoldout.incrementalGain()).isZero();
        assertThat(noHoldout.cost()).isEqualTo(3);
        assertThat(noHoldout.roi()).as("no return measured against an empty holdout, not a return of 0").isNaN();
        CampaignReview noTreated = CampaignReview.of(List.of(unrated(Arm.HOLDOUT, 1, 60)),
                new CampaignReview.Costs(0, 2, 6, 0, 0), 0.30);
        assertThat(noTreated.cost()).isEqualTo(12);
        assertThat(noTreated.roi()).isNaN();

        List<CampaignReview.MemberWindow> both = new ArrayList<>(treatedOnly);
        both.add(unrated(Arm.HOLDOUT, 1, 60));
        both.add(unrated(Arm.HOLDOUT, 0, 0));
        CampaignReview nothingSpent = CampaignReview.of(both, new CampaignReview.Costs(0, 0, 6, 0, 0), 0.30);
        assertThat(nothingSpent.cost()).isZero();
        assertThat(nothingSpent.incrementalRevenue()).isCloseTo(3 * (80 - 30), within(1e-9));
        // 30% of 80 against 30% of 30 a member, for 3 treated.
        assertThat(nothingSpent.incrementalGain()).isCloseTo(3 * (24 - 9), within(1e-9));
        assertThat(nothingSpent.roi()).as("a return on nothing spent is none, not 0").isNaN();
    }

    @Test
    void campaignsRefuseBadPlansNamingTheFieldAndMoveOneWay() {
        Instant start = Instant.parse("2024-03-01T00:00:00Z");
        assertThatThrownBy(() -> campaign(0.0, "call", start, start.plusSeconds(86_400)))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.field()).isEqualTo("holdout_share"));
        assertThatThrownBy(() -> campaign(0.1, "fax", start, start.plusSeconds(86_400)))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.field()).isEqualTo("channel"));
        assertThatThrownBy(() -> campaign(0.1, "sms", start, start))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.field()).isEqualTo("end_at"));
        for (double cost : new double[] {Double.POSITIVE_INFINITY, Double.NaN, -1}) {
            assertThatThrownBy(() -> new Campaign("c1", "win-back", Target.churnRisk(0.5, null), "", "sms", "", cost, 0, start,
                    start.plusSeconds(86_400), 0.1, List.of(), CampaignState.PLAN))
                    .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.field()).isEqualTo("cost_per_touch"));
            assertThatThrownBy(() -> new Campaign("c1", "win-back", Target.churnRisk(0.5, null), "", "sms", "", 0, cost, start,
                    start.plusSeconds(86_400), 0.1, List.of(), CampaignState.PLAN))
                    .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.field()).isEqualTo("coupon_value"));
        }
        for (List<String> variants : List.of(List.of("10:00, weekend", "20:00"), List.of("morning", "morning"))) {
            assertThatThrownBy(() -> new Campaign("c1", "win-back", Target.churnRisk(0.5, null), "", "sms", "", 0, 0, start,
                    start.plusSeconds(86_400), 0.1, variants, CampaignState.PLAN))
                    .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.field()).isEqualTo("variants"));
        }
        Campaign live = campaign(0.1, "sms", start, start.plusSeconds(86_400)).moveTo(CampaignState.LIVE, start);
        assertThat(live.state()).isEqualTo(CampaignState.LIVE);
        // Skipping a state or going back conflicts with the campaign's state: not a bad argument (a 400), a 409.
        for (CampaignState conflicting : List.of(CampaignState.CLOSED, CampaignState.PLAN)) {
            assertThatThrownBy(() -> live.moveTo(conflicting, start)).isInstanceOf(CampaignStateConflictException.class)
                    .hasMessage("state: a campaign in live cannot move to " + conflicting.code()
                            + " (plan → live → review → closed, one step at a time)");
        }
        // Asking again for the state it is in (a retry) is no move: the campaign as it is, its start that of going live.
        assertThat(live.moveTo(CampaignState.LIVE, start.plusSeconds(60))).isEqualTo(live);
    }

    /**
     * Going live after the window had ended was accepted, and the background job moved the campaign to review within
     * a minute: refused instead, naming end_at. A window ending at the very instant of the move has ended, as for the
     * job (end_at at or before now); a plan whose window has ended is refused by the same check.
     */
    @Test
    void aCampaignWhoseWindowHasEndedCannotGoLive() {
        Instant start = Instant.parse("2024-03-01T00:00:00Z");
        Instant end = Instant.parse("2024-03-31T00:00:00Z");
        Campaign planned = campaign(0.1, "call", start, end);
        for (Instant late : List.of(end, end.plusSeconds(1), end.plusSeconds(86_400 * 365))) {
            assertThatThrownBy(() -> planned.moveTo(CampaignState.LIVE, late))
                    .isInstanceOfSatisfying(InvalidArgumentException.class, e -> {
                        assertThat(e.field()).isEqualTo("end_at");
                        assertThat(e.reason()).isEqualTo(end + " has passed (now " + late + "): a campaign whose window "
                                + "has ended cannot go live, as nothing it does now would count within it");
                    });
            assertThatThrownBy(() -> planned.checkNotEnded(late))
                    .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.field()).isEqualTo("end_at"));
        }
        assertThat(planned.moveTo(CampaignState.LIVE, end.minusSeconds(1)).state()).isEqualTo(CampaignState.LIVE);
        assertThat(planned.checkNotEnded(end.minusSeconds(1))).isSameAs(planned);
        // A state that cannot follow is refused for that, whatever the window.
        assertThatThrownBy(() -> planned.moveTo(CampaignState.REVIEW, end.plusSeconds(1)))
                .isInstanceOf(CampaignStateConflictException.class).hasMessageStartingWith("state: ");
    }

    /**
     * Live before its start, a campaign touches and calls at once: it starts then, so its calls' cost and the purchases
     * they bring count in one window (before, calls before start_at were charged while their effect was not counted).
     */
    @Test
    void goingLiveStartsTheCampaignThen() {
        Instant start = Instant.parse("2024-03-01T00:00:00Z");
        Instant end = Instant.parse("2024-03-31T00:00:00Z");
        Campaign planned = campaign(0.1, "call", start, end);
        Instant early = start.minusSeconds(3 * 86_400);
        Campaign live = planned.moveTo(CampaignState.LIVE, early);
        assertThat(live.startAt()).isEqualTo(early);
        assertThat(live.endAt()).isEqualTo(end);
        assertThat(planned.moveTo(CampaignState.LIVE, start).startAt()).as("live on time").isEqualTo(start);
        // Live late: nothing before the move is the campaign's doing, and its holdout did not exist yet.
        assertThat(planned.moveTo(CampaignState.LIVE, start.plusSeconds(60)).startAt()).as("live late")
                .isEqualTo(start.plusSeconds(60));
        assertThat(live.moveTo(CampaignState.REVIEW, early.plusSeconds(60)).endAt()).isEqualTo(early.plusSeconds(60));
    }

    @Test
    void reviewingACampaignBeforeItsEndEndsItThen() {
        // The review gives the holdout back to the SOP: measuring on to end_at would count its calls as no effect.
        Instant start = Instant.parse("2024-03-01T00:00:00Z");
        Instant end = Instant.parse("2024-03-31T00:00:00Z");
        Campaign live = campaign(0.1, "call", start, end).moveTo(CampaignState.LIVE, start);
        assertThat(live.endAt()).isEqualTo(end);
        Instant midMarch = Instant.parse("2024-03-15T09:30:00Z");
        Campaign early = live.moveTo(CampaignState.REVIEW, midMarch);
        assertThat(early.endAt()).isEqualTo(midMarch);
        assertThat(early.moveTo(CampaignState.CLOSED, end.plusSeconds(86_400)).endAt()).isEqualTo(midMarch);
        // After its end: the end stays. Before its start (another replica's clock behind): an empty window, not one
        // ending before it starts.
        assertThat(live.moveTo(CampaignState.REVIEW, end.plusSeconds(60)).endAt()).isEqualTo(end);
        assertThat(live.moveTo(CampaignState.REVIEW, start.minusSeconds(60)).endAt()).isEqualTo(start);
    }

    @Test
    void aStateNamesTheStatesACampaignWentThroughSinceAnEarlierOne() {
        assertThat(CampaignState.REVIEW.since(CampaignState.PLAN)).containsExactly(CampaignState.LIVE, CampaignState.REVIEW);
        assertThat(CampaignState.CLOSED.since(CampaignState.REVIEW)).containsExactly(CampaignState.CLOSED);
        assertThat(CampaignState.LIVE.since(CampaignState.LIVE)).isEmpty();
    }

    static Campaign campaign(double holdout, String channel, Instant start, Instant end) {
        return new Campaign("c1", "win-back", Target.churnRisk(0.5, null), "we miss you", channel, "¥10 coupon", 0.25, 10, start, end,
                holdout, List.of(), CampaignState.PLAN);
    }
}
