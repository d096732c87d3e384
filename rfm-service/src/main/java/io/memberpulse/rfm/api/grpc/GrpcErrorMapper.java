package io.memberpulse.rfm.api.grpc;

import io.grpc.Status;
import io.memberpulse.proto.grpc.GrpcErrorMapping;
import io.memberpulse.rfm.domain.InvalidParameterException;
import io.memberpulse.rfm.domain.MemberNotFoundException;
import io.memberpulse.rfm.domain.UnknownSegmentException;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * rfm-service's own errors as gRPC status codes, for every one of its gRPC services: a refused field
 * INVALID_ARGUMENT "field: reason", an unknown member or segment NOT_FOUND.
 */
@ApplicationScoped
class GrpcErrorMapper extends GrpcErrorMapping {

    @Override
    protected Status domainStatus(Throwable failure) {
        if (failure instanceof InvalidParameterException invalid) {
            return invalidArgument(invalid.field(), invalid.getMessage());
        }
        if (failure instanceof MemberNotFoundException || failure instanceof UnknownSegmentException) {
            return Status.NOT_FOUND.withDescription(failure.getMessage());
        }
        return null;
    }
}
