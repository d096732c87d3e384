package io.memberpulse.campaign.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.memberpulse.campaign.domain.CampaignStateConflictException;
import io.memberpulse.campaign.domain.InvalidArgumentException;
import org.junit.jupiter.api.Test;

class GrpcErrorMapperTest {
    /** A move the campaign's state does not allow is a failed precondition, as REST's 409; a bad field stays invalid. */
    @Test
    void aMoveAgainstTheCampaignsStateIsAFailedPreconditionNotAnInvalidArgument() {
        Status conflict = new GrpcErrorMapper().domainStatus(new CampaignStateConflictException("live", "closed"));
        assertThat(conflict.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(conflict.getDescription()).isEqualTo(
                "state: a campaign in live cannot move to closed (plan → live → review → closed, one step at a time)");
        assertThat(new GrpcErrorMapper().domainStatus(new InvalidArgumentException("state", "unknown state 'x'")).getCode())
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
    }
}
