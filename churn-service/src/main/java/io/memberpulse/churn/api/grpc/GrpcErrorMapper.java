package io.memberpulse.churn.api.grpc;

import io.grpc.Status;
import io.memberpulse.churn.domain.ExplanationUnavailableException;
import io.memberpulse.churn.domain.InvalidInputException;
import io.memberpulse.churn.domain.MemberNotFoundException;
import io.memberpulse.churn.domain.NotEnoughDataException;
import io.memberpulse.proto.grpc.GrpcErrorMapping;
import jakarta.enterprise.context.ApplicationScoped;

/** churn-service's own errors as gRPC status codes, for every one of its gRPC services. */
@ApplicationScoped
class GrpcErrorMapper extends GrpcErrorMapping {

    @Override
    protected Status domainStatus(Throwable failure) {
        if (failure instanceof MemberNotFoundException) {
            return Status.NOT_FOUND.withDescription(failure.getMessage());
        }
        if (failure instanceof NotEnoughDataException || failure instanceof ExplanationUnavailableException) {
            return Status.FAILED_PRECONDITION.withDescription(failure.getMessage());
        }
        if (failure instanceof InvalidInputException invalid) {
            return invalidArgument(invalid.field(), invalid.getMessage());
        }
        return null;
    }
}
