package io.memberpulse.rfm.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.memberpulse.rfm.domain.InvalidParameterException;
import io.memberpulse.rfm.domain.MemberNotFoundException;
import io.memberpulse.rfm.domain.UnknownSegmentException;
import org.junit.jupiter.api.Test;

/**
 * rfm-service's own errors as gRPC statuses (what every service shares: proto's GrpcErrorMappingTest; the calls
 * themselves: RfmResourceTest's gRPC tests).
 */
class GrpcErrorMapperTest {
    static final GrpcErrorMapper MAPPER = new GrpcErrorMapper();

    @Test
    void aRefusedFieldIsInvalidArgumentNamingTheField() {
        Status status = MAPPER.toStatus(new InvalidParameterException("as_of", "nanos -1 is outside 0..999999999"))
                .getStatus();
        assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(status.getDescription()).isEqualTo("as_of: nanos -1 is outside 0..999999999");
    }

    @Test
    void unknownMembersAndSegmentsAreNotFound() {
        Status member = MAPPER.toStatus(new MemberNotFoundException("m-1")).getStatus();
        assertThat(member.getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(member.getDescription()).isEqualTo("no purchase or registration known for member m-1");
        Status segment = MAPPER.toStatus(new UnknownSegmentException("vip")).getStatus();
        assertThat(segment.getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(segment.getDescription()).isEqualTo("no segment vip");
    }
}
