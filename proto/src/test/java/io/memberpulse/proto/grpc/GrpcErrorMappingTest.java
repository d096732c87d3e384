package io.memberpulse.proto.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.memberpulse.proto.auth.StoreNotPermittedException;
import io.memberpulse.proto.checks.FieldChecks;
import io.memberpulse.proto.checks.InvalidFieldException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import org.junit.jupiter.api.Test;

/** What every service's gRPC error mapper shares (each service's own codes: its GrpcErrorMapper and API tests). */
class GrpcErrorMappingTest {
    /** A service whose one error is an IllegalArgumentException about the field "limit". */
    static final GrpcErrorMapping MAPPING = new GrpcErrorMapping() {
        @Override
        protected Status domainStatus(Throwable failure) {
            return failure instanceof IllegalArgumentException ? invalidArgument("limit", failure.getMessage()) : null;
        }
    };

    @Test
    void theServicesOwnErrorsGetItsCodes() {
        Status status = MAPPING.toStatus(new IllegalArgumentException("must be 1..500")).getStatus();
        assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(status.getDescription()).isEqualTo("limit: must be 1..500");
    }

    @Test
    void aValueTheSharedChecksRefusedIsInvalidArgumentNamingTheFieldInEveryService() {
        Status status = MAPPING.toStatus(catchInvalid(() -> FieldChecks.checkId("member_id", "m\u00001"))).getStatus();
        assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(status.getDescription()).isEqualTo("member_id: must not contain control characters");
    }

    private static InvalidFieldException catchInvalid(Runnable check) {
        try {
            check.run();
        } catch (InvalidFieldException e) {
            return e;
        }
        throw new AssertionError("not refused");
    }

    @Test
    void noTokenIsUnauthenticatedAndAMissingRoleOrStorePermissionDenied() {
        assertThat(MAPPING.toStatus(new UnauthorizedException()).getStatus().getCode())
                .isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(MAPPING.toStatus(new ForbiddenException()).getStatus().getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(MAPPING.toStatus(new StoreNotPermittedException("s-1", "s-2")).getStatus().getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    @Test
    void anythingElseIsInternalWithoutItsDetails() {
        Status status = MAPPING.toStatus(new IllegalStateException("ERROR: relation member_rfm does not exist"))
                .getStatus();
        assertThat(status.getCode()).isEqualTo(Status.Code.INTERNAL);
        assertThat(status.getDescription()).isEqualTo("internal error");
    }

    @Test
    void aStatusThrownAsIsPassesThrough() {
        Status status = MAPPING.toStatus(Status.UNAVAILABLE.withDescription("draining").asRuntimeException())
                .getStatus();
        assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(status.getDescription()).isEqualTo("draining");
        assertThat(MAPPING.transform(Status.ABORTED.asException())).isInstanceOf(io.grpc.StatusException.class);
    }
}
