package io.memberpulse.campaign.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.memberpulse.campaign.domain.CallList;
import io.memberpulse.campaign.domain.Money;
import io.memberpulse.campaign.domain.experiment.Activity;
import io.memberpulse.campaign.domain.experiment.Arm;
import io.memberpulse.campaign.domain.experiment.BeforeAfter;
import io.memberpulse.campaign.domain.experiment.CampaignReview;
import io.memberpulse.campaign.domain.InvalidArgumentException;
import io.memberpulse.proto.campaign.v1.OutcomeResult;
import io.memberpulse.proto.campaign.v1.RecordOutcomeRequest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class GrpcMapperTest {
    /**
     * A stub generated while reached was a plain bool never sends false: refusing an unset reached refused every "not
     * reached" outcome of such a client. Unset, it is read from the result; sent, it still has to agree with it.
     */
    @Test
    void anOutcomeWithoutReachedTakesItFromTheResult() {
        RecordOutcomeRequest withoutReached = RecordOutcomeRequest.newBuilder().setTaskId("t1")
                .setResult(OutcomeResult.OUTCOME_RESULT_WILL_RETURN).build();
        assertThat(GrpcMapper.outcome(withoutReached).reached()).isTrue();
        assertThat(GrpcMapper.outcome(withoutReached.toBuilder().setResult(OutcomeResult.OUTCOME_RESULT_NOT_REACHED)
                .build()).reached()).isFalse();
        // Sent, false is an answer like true, and one that disagrees with the result is refused naming result.
        assertThat(GrpcMapper.outcome(withoutReached.toBuilder().setReached(false)
                .setResult(OutcomeResult.OUTCOME_RESULT_NOT_REACHED).build()).reached()).isFalse();
        assertThatThrownBy(() -> GrpcMapper.outcome(withoutReached.toBuilder().setReached(false).build()))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.getMessage())
                        .isEqualTo("result: an unreached member has the result not_reached"));
        assertThatThrownBy(() -> GrpcMapper.outcome(withoutReached.toBuilder()
                .setResult(OutcomeResult.OUTCOME_RESULT_UNSPECIFIED).build()))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.getMessage())
                        .isEqualTo("result: is required"));
    }

    /**
     * The locale the talking points write amounts as (memberpulse.campaign.currency-locale) travels beside the
     * currency, as REST's currencyLocale, so that a client writes its own amounts as they do; empty when none is set,
     * where REST says null.
     */
    @Test
    void aCallListSaysTheLocaleItsAmountsAreWrittenAsEmptyWhenNoneIsSet() {
        Instant now = Instant.parse("2026-12-07T10:00:00Z");
        var inPounds = GrpcMapper.toProto(new CallList("s1", now, List.of(), List.of(), ZoneOffset.UTC,
                new Money(Currency.getInstance("GBP"), Locale.forLanguageTag("en-GB"))));
        assertThat(inPounds.getCurrency()).isEqualTo("GBP");
        assertThat(inPounds.getCurrencyLocale()).isEqualTo("en-GB");
        var inEuros = GrpcMapper.toProto(new CallList("s1", now, List.of(), List.of(), ZoneOffset.UTC,
                new Money(Currency.getInstance("EUR"), Locale.GERMANY)));
        assertThat(inEuros.getCurrencyLocale()).isEqualTo("de-DE");
        var byDefault = GrpcMapper.toProto(new CallList("s1", now, List.of(), List.of(), ZoneOffset.UTC, Money.CNY));
        assertThat(byDefault.getCurrency()).isEqualTo("CNY");
        assertThat(byDefault.getCurrencyLocale()).isEmpty();
    }

    @Test
    void aReviewWithAnEmptyArmHasNeitherUpliftNorReturnDefined() {
        CampaignReview noHoldout = CampaignReview.of(List.of(new CampaignReview.MemberWindow(Arm.TREATED, 1, 150, 0, 150),
                new CampaignReview.MemberWindow(Arm.TREATED, 0, 0, 0, 0)), new CampaignReview.Costs(1, 0, 6, 0, 0), 0.30);
        var results = GrpcMapper.toProto("c1", noHoldout);
        assertThat(results.getCost()).isEqualTo(2);
        assertThat(results.getUpliftDefined()).isFalse();
        assertThat(results.getRoiDefined()).isFalse();
        assertThat(results.getRoi()).isZero();
        assertThat(results.hasRoiLow()).isFalse();
        assertThat(results.hasRoiHigh()).isFalse();
        assertThat(results.getRoiSignificant()).isFalse();
        assertThat(results.hasRevenuePerMemberUplift()).isFalse();
        assertThat(results.hasRevenuePerMemberUpliftCiLow()).isFalse();
        assertThat(results.hasRevenuePerMemberUpliftCiHigh()).isFalse();
    }

    /**
     * (Lines without a margin rate of their own: priced at the default 0.30, which the revenue uplift does not use.)
     * The revenue uplift REST answers (revenuePerMemberUplift) was missing over gRPC: its value once both arms have a
     * member, its interval (Welch's) once both have two, as the domain computes them; absent where REST says NaN.
     */
    @Test
    void theRevenueUpliftAndItsIntervalTravelWhereTheyAreDefined() {
        List<CampaignReview.MemberWindow> lone = List.of(new CampaignReview.MemberWindow(Arm.TREATED, 1, 150, 0, 150),
                new CampaignReview.MemberWindow(Arm.TREATED, 1, 90, 0, 90), new CampaignReview.MemberWindow(Arm.HOLDOUT, 1, 60, 0, 60));
        var oneHeldOut = GrpcMapper.toProto("c1", CampaignReview.of(lone, new CampaignReview.Costs(1, 0, 6, 0, 0), 0.30));
        assertThat(oneHeldOut.hasRevenuePerMemberUplift()).isTrue();
        assertThat(oneHeldOut.getRevenuePerMemberUplift()).isEqualTo(120.0 - 60.0);
        assertThat(oneHeldOut.hasRevenuePerMemberUpliftCiLow()).isFalse();
        assertThat(oneHeldOut.hasRevenuePerMemberUpliftCiHigh()).isFalse();

        List<CampaignReview.MemberWindow> both = new java.util.ArrayList<>(lone);
        both.add(new CampaignReview.MemberWindow(Arm.HOLDOUT, 0, 0, 0, 0));
        CampaignReview review = CampaignReview.of(both, new CampaignReview.Costs(1, 0, 6, 0, 0), 0.30);
        var results = GrpcMapper.toProto("c1", review);
        assertThat(results.getRevenuePerMemberUplift()).isEqualTo(review.revenuePerMemberUplift().value()).isEqualTo(90.0);
        assertThat(results.getRevenuePerMemberUpliftCiLow()).isEqualTo(review.revenuePerMemberUplift().low()).isLessThan(90.0);
        assertThat(results.getRevenuePerMemberUpliftCiHigh()).isEqualTo(review.revenuePerMemberUplift().high())
                .isGreaterThan(90.0);
    }

    /**
     * Each arm's revenue and margin per member (REST's revenuePerMember, marginPerMember) were missing from gRPC's
     * ArmResult. Treated: (150 + 90) / 2 = 120 paid, of which 150 at its own rate's margin 60 and 90 at the default
     * 0.30 (27): (60 + 27) / 2 = 43.5. Holdout: 60 / 2 = 30 paid, 60 × 0.30 / 2 = 9 margin. Per store they are not
     * measured: absent there, beside the live figures the store carries.
     */
    @Test
    void eachArmCarriesItsRevenueAndMarginPerMemberAsRestDoes() {
        List<CampaignReview.MemberWindow> members = List.of(new CampaignReview.MemberWindow(Arm.TREATED, 1, 150, 60, 0),
                new CampaignReview.MemberWindow(Arm.TREATED, 1, 90, 0, 90), new CampaignReview.MemberWindow(Arm.HOLDOUT, 1, 60, 0, 60),
                new CampaignReview.MemberWindow(Arm.HOLDOUT, 0, 0, 0, 0));
        CampaignReview review = CampaignReview.of(members, new CampaignReview.Costs(1, 0, 6, 0, 0), 0.30);
        var live = Activity.of(List.of(new Activity.Member(Arm.TREATED, "s1", 1, 150, true),
                new Activity.Member(Arm.HOLDOUT, "s1", 1, 60, false)));
        var results = GrpcMapper.toProto("c1", review, live, BeforeAfter.of(List.of(), List.of(), review.roi()),
                Currency.getInstance("GBP"));

        assertThat(results.getTreated().hasRevenuePerMember()).isTrue();
        assertThat(results.getTreated().getRevenuePerMember()).isEqualTo(review.treated().revenuePerMember()).isEqualTo(120.0);
        assertThat(results.getTreated().getMarginPerMember()).isEqualTo(review.treated().marginPerMember())
                .isCloseTo(43.5, within(1e-9));
        assertThat(results.getHoldout().getRevenuePerMember()).isEqualTo(30.0);
        assertThat(results.getHoldout().getMarginPerMember()).isCloseTo(9.0, within(1e-9));
        // merged with the live figures, which keep theirs
        assertThat(results.getTreated().getParticipated()).isEqualTo(1);
        assertThat(results.getStores(0).getTreated().getMembers()).isEqualTo(1);
        assertThat(results.getStores(0).getTreated().hasRevenuePerMember()).isFalse();
        assertThat(results.getStores(0).getHoldout().hasMarginPerMember()).isFalse();
        // the currency the figures are in, which the domain's figures do not carry: the mapping says it
        assertThat(results.getCurrency()).isEqualTo("GBP");
    }

    /**
     * Variants travel in the campaign's order, undefined figures as CampaignResults' own: a variant nobody is in has no
     * uplift (uplift_defined false, the revenue and margin uplifts absent); one of a single member, no interval.
     */
    @Test
    void variantsTravelWithTheirUpliftsAbsentWhereUndefined() {
        List<CampaignReview.MemberWindow> members = List.of(
                new CampaignReview.MemberWindow(Arm.TREATED, 1, 100, 0, 100, "sms"),
                new CampaignReview.MemberWindow(Arm.HOLDOUT, 1, 40, 0, 40), new CampaignReview.MemberWindow(Arm.HOLDOUT, 0, 0, 0, 0));
        CampaignReview review = CampaignReview.of(members, new CampaignReview.Costs(1, 0, 6, 0, 0), 0.30, List.of("app", "sms"));
        var results = GrpcMapper.toProto("c1", review);
        assertThat(results.getVariantsList()).extracting(v -> v.getVariant()).containsExactly("app", "sms");
        var app = results.getVariants(0);
        assertThat(app.getTreated().getMembers()).isZero();
        assertThat(app.getUpliftDefined()).isFalse();
        assertThat(app.getUplift()).isZero();
        assertThat(app.hasRevenuePerMemberUplift()).isFalse();
        assertThat(app.hasMarginPerMemberUplift()).isFalse();
        var sms = results.getVariants(1);
        assertThat(sms.getTreated().getMembers()).isEqualTo(1);
        assertThat(sms.getTreated().getRevenuePerMember()).isEqualTo(100.0);
        assertThat(sms.getUpliftDefined()).isTrue();
        assertThat(sms.getUplift()).isEqualTo(0.5);
        assertThat(sms.getUpliftCiLow()).isEqualTo(review.variants().get(1).conversionUplift().low()).isNegative();
        assertThat(sms.getRevenuePerMemberUplift()).isEqualTo(80.0);
        assertThat(sms.getMarginPerMemberUplift()).isCloseTo(24.0, within(1e-9));
        assertThat(sms.hasRevenuePerMemberUpliftCiLow()).isFalse();
        assertThat(sms.hasMarginPerMemberUpliftCiHigh()).isFalse();
    }
}
