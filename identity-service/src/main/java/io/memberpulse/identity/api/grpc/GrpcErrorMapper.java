package io.memberpulse.identity.api.grpc;

import io.grpc.Status;
import io.memberpulse.identity.NotWriterException;
import io.memberpulse.identity.domain.InvalidIdentifierException;
import io.memberpulse.identity.domain.InvalidSplitException;
import io.memberpulse.identity.domain.MemberMergedAwayException;
import io.memberpulse.identity.domain.MemberNotFoundException;
import io.memberpulse.proto.grpc.GrpcErrorMapping;
import jakarta.enterprise.context.ApplicationScoped;

/** identity-service's own errors as gRPC status codes, for every one of its gRPC services. */
@ApplicationScoped
class GrpcErrorMapper extends GrpcErrorMapping {

    @Override
    protected Status domainStatus(Throwable failure) {
        if (failure instanceof NotWriterException) {
            return Status.UNAVAILABLE.withDescription(failure.getMessage());
        }
        if (failure instanceof MemberNotFoundException) {
            return Status.NOT_FOUND.withDescription(failure.getMessage());
        }
        if (failure instanceof InvalidSplitException invalid) {
            return invalidArgument(invalid.field(), invalid.getMessage());
        }
        if (failure instanceof MemberMergedAwayException) {
            return Status.FAILED_PRECONDITION.withDescription(failure.getMessage());
        }
        if (failure instanceof InvalidIdentifierException invalid) {
            return invalidArgument(invalid.field(), invalid.getMessage());
        }
        return null;
    }
}
