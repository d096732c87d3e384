package io.memberpulse.rfm.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.memberpulse.rfm.domain.InvalidParameterException;
import io.memberpulse.rfm.domain.MemberNotFoundException;
import io.memberpulse.rfm.domain.UnknownSegmentException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import org.junit.jupiter.api.Test;

/** The one place domain errors become gRPC statuses (the calls themselves: RfmResourceTest's gRPC tests). */
class GrpcErrorMapperTest {

    @Test
    void aRefusedFieldIsInvalidArgumentNamingTheField() {
        Status status = GrpcErrorMapper.toStatus(new InvalidParameterException("as_of", "nanos -1 is outside 0..999999999"))
                .getStatus();
        assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(status.getDescription()).isEqualTo("as_of: nanos -1 is outside 0..999999999");
    }

    @Test
    void unknownMembersAndSegmentsAreNotFound() {
        Status member = GrpcErrorMapper.toStatus(new MemberNotFoundException("m-1")).getStatus();
        assertThat(member.getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(member.getDescription()).isEqualTo("no purchases known for member m-1");
        Status segment = GrpcErrorMapper.toStatus(new UnknownSegmentException("vip")).getStatus();
        assertThat(segment.getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(segment.getDescription()).isEqualTo("no segment vip");
    }

    @Test
    void noTokenIsUnauthenticatedAndAMissingRolePermissionDenied() {
        assertThat(GrpcErrorMapper.toStatus(new UnauthorizedException()).getStatus().getCode())
                .isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(GrpcErrorMapper.toStatus(new ForbiddenException()).getStatus().getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    @Test
    void anythingElseIsInternalWithoutItsDetails() {
        Status status = GrpcErrorMapper.toStatus(new IllegalStateException("ERROR: relation member_rfm does not exist"))
                .getStatus();
        assertThat(status.getCode()).isEqualTo(Status.Code.INTERNAL);
        assertThat(status.getDescription()).isEqualTo("internal error");
    }

    @Test
    void aStatusThrownAsIsPassesThrough() {
        Status status = GrpcErrorMapper.toStatus(Status.UNAVAILABLE.withDescription("draining").asRuntimeException())
                .getStatus();
        assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(status.getDescription()).isEqualTo("draining");
    }
}
