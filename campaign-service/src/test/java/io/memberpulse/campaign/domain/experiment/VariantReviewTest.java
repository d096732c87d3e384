package io.memberpulse.campaign.domain.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Results per treatment variant: each variant's treated members against the one holdout they share, with the same
 * statistics as the arms. The default margin rate is 0.30.
 * <p>
 * Held out (4): ¥40 twice (without a rate) and two who bought nothing: converted 2 of 4, revenue 80 / 4 = 20 and margin
 * 24 / 4 = 6 per member; revenues {0, 0, 40, 40}, mean 20, sample variance 1600 / 3.
 * Variant "morning" (3): ¥60 twice without a rate and nothing: converted 2 of 3, revenue 40 and margin 12 per member;
 * revenues {60, 60, 0}, mean 40, variance 2400 / 2 = 1200; uplifts: conversion 2/3 − 1/2 = 1/6, revenue 20, margin 6.
 * Variant "evening" (2): a ¥100 line at its own 50% and nothing: converted 1 of 2, revenue 50 and margin 25 per member;
 * uplifts: conversion 0, revenue 30, margin 19.
 * Variant "noon", declared, nobody enrolled in it: no uplift (NaN), 0 members.
 * The whole treated arm (5): revenue 220 / 5 = 44, margin (36 + 50) / 5 = 17.2, as before.
 */
class VariantReviewTest {
    private static final double RATE = 0.30;

    private static CampaignReview.MemberWindow member(String variant, int orders, double unrated, double rated,
            double ratedMargin) {
        return new CampaignReview.MemberWindow(variant == null ? Arm.HOLDOUT : Arm.TREATED, orders, unrated + rated,
                ratedMargin, unrated, variant);
    }

    private static final List<CampaignReview.MemberWindow> MEMBERS = List.of(
            member(null, 1, 40, 0, 0), member(null, 1, 40, 0, 0), member(null, 0, 0, 0, 0), member(null, 0, 0, 0, 0),
            member("morning", 1, 60, 0, 0), member("morning", 1, 60, 0, 0), member("morning", 0, 0, 0, 0),
            member("evening", 1, 0, 100, 50), member("evening", 0, 0, 0, 0));

    private static CampaignReview review() {
        return CampaignReview.of(MEMBERS, new CampaignReview.Costs(1, 0, 6, 0, 0), RATE, List.of("evening", "noon", "morning"));
    }

    @Test
    void eachVariantIsMeasuredAgainstTheSharedHoldoutInTheCampaignsOrder() {
        CampaignReview review = review();
        assertThat(review.variants()).extracting(CampaignReview.VariantResult::variant)
                .containsExactly("evening", "noon", "morning");
        assertThat(review.treated().members()).isEqualTo(5);
        assertThat(review.treated().revenuePerMember()).isCloseTo(44, within(1e-9));
        assertThat(review.treated().marginPerMember()).isCloseTo(17.2, within(1e-9));

        CampaignReview.VariantResult morning = review.variants().get(2);
        assertThat(morning.treated()).isEqualTo(new CampaignReview.ArmResult(3, 2, 2 / 3.0, 60, 40, 12));
        assertThat(morning.conversionUplift().value()).isCloseTo(1 / 6.0, within(1e-12));
        assertThat(morning.conversionUplift()).isEqualTo(Estimate.differenceOfProportions(2, 3, 2, 4));
        assertThat(morning.revenuePerMemberUplift().value()).isCloseTo(20, within(1e-9));
        assertThat(morning.marginPerMemberUplift().value()).isCloseTo(6, within(1e-9));
        // Welch's interval on {60, 60, 0} against {0, 0, 40, 40}: the arms' statistics, on the variant's members only.
        Estimate welch = Estimate.differenceOfMeans(new Estimate.Summary(3, 40, 1200), new Estimate.Summary(4, 20, 1600 / 3.0));
        assertThat(morning.revenuePerMemberUplift().low()).isCloseTo(welch.low(), within(1e-9)).isLessThan(20);
        assertThat(morning.revenuePerMemberUplift().high()).isCloseTo(welch.high(), within(1e-9)).isGreaterThan(20);
        // The margins are the revenues × 0.30 in both: the interval scales with them.
        assertThat(morning.marginPerMemberUplift().low()).isCloseTo(welch.low() * RATE, within(1e-9));

        CampaignReview.VariantResult evening = review.variants().get(0);
        assertThat(evening.treated()).isEqualTo(new CampaignReview.ArmResult(2, 1, 0.5, 100, 50, 25));
        assertThat(evening.conversionUplift().value()).isCloseTo(0, within(1e-12));
        assertThat(evening.revenuePerMemberUplift().value()).isCloseTo(30, within(1e-9));
        assertThat(evening.marginPerMemberUplift().value()).isCloseTo(19, within(1e-9));
        assertThat(evening.marginPerMemberUplift()).isEqualTo(Estimate.differenceOfMeans(
                Estimate.Summary.of(new double[] {50, 0}), Estimate.Summary.of(new double[] {12, 12, 0, 0})));
    }

    @Test
    void aVariantNobodyIsInHasNoUpliftAndOneMemberNoInterval() {
        CampaignReview.VariantResult noon = review().variants().get(1);
        assertThat(noon.treated().members()).isZero();
        assertThat(noon.conversionUplift().value()).isNaN();
        assertThat(noon.revenuePerMemberUplift().value()).isNaN();
        assertThat(noon.marginPerMemberUplift().value()).isNaN();

        CampaignReview lone = CampaignReview.of(List.of(member("a", 1, 10, 0, 0), member(null, 0, 0, 0, 0),
                member(null, 1, 20, 0, 0)), new CampaignReview.Costs(1, 0, 6, 0, 0), RATE, List.of("a"));
        assertThat(lone.variants().get(0).revenuePerMemberUplift().value()).isCloseTo(0, within(1e-9));
        assertThat(lone.variants().get(0).revenuePerMemberUplift().low()).isNaN();
    }

    /** A campaign without variants has its one, the default, which is the whole treated arm. */
    @Test
    void aCampaignWithoutVariantsReportsItsDefaultOneAsTheTreatedArm() {
        List<CampaignReview.MemberWindow> plain = List.of(new CampaignReview.MemberWindow(Arm.TREATED, 1, 60, 0, 60),
                new CampaignReview.MemberWindow(Arm.TREATED, 0, 0, 0, 0), new CampaignReview.MemberWindow(Arm.HOLDOUT, 1, 40, 0, 40),
                new CampaignReview.MemberWindow(Arm.HOLDOUT, 0, 0, 0, 0));
        CampaignReview review = CampaignReview.of(plain, new CampaignReview.Costs(1, 0, 6, 0, 0), RATE);
        assertThat(review.variants()).hasSize(1);
        CampaignReview.VariantResult only = review.variants().get(0);
        assertThat(only.variant()).isEqualTo(Assignment.DEFAULT_VARIANT);
        assertThat(only.treated()).isEqualTo(review.treated());
        assertThat(only.conversionUplift()).isEqualTo(review.conversionUplift());
        assertThat(only.revenuePerMemberUplift()).isEqualTo(review.revenuePerMemberUplift());
        assertThat(only.marginPerMemberUplift()).isEqualTo(review.marginPerMemberUplift());
    }
}
