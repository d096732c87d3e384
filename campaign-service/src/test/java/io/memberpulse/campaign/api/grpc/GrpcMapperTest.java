package io.memberpulse.campaign.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.campaign.domain.experiment.Arm;
import io.memberpulse.campaign.domain.experiment.CampaignReview;
import java.util.List;
import org.junit.jupiter.api.Test;

class GrpcMapperTest {
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
}
