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
    }
}
