package io.memberpulse.churn.api.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.memberpulse.churn.domain.InvalidInputException;
import io.memberpulse.churn.domain.MemberNotFoundException;
import io.memberpulse.churn.domain.NotEnoughDataException;
import io.memberpulse.proto.auth.AuthErrors;
import io.quarkus.grpc.ExceptionHandler;
import io.quarkus.grpc.ExceptionHandlerProvider;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/** Domain errors to gRPC status codes, once for every gRPC service of churn-service. */
@ApplicationScoped
class GrpcErrorMapper implements ExceptionHandlerProvider {

    @Override
    public <ReqT, RespT> ExceptionHandler<ReqT, RespT> createHandler(ServerCall.Listener<ReqT> listener,
            ServerCall<ReqT, RespT> call, Metadata metadata) {
        return new ExceptionHandler<>(listener, call, metadata) {
            @Override
            protected void handleException(Throwable failure, ServerCall<ReqT, RespT> serverCall, Metadata trailers) {
                StatusException status = toStatus(failure);
                serverCall.close(status.getStatus(), status.getTrailers() == null ? trailers : status.getTrailers());
            }
        };
    }

    @Override
    public Throwable transform(Throwable failure) {
        return toStatus(failure);
    }

    static StatusException toStatus(Throwable failure) {
        if (failure instanceof StatusException status) {
            return status;
        }
        if (failure instanceof StatusRuntimeException status) {
            return new StatusException(status.getStatus(), status.getTrailers());
        }
        Optional<Status> denied = AuthErrors.grpcStatus(failure);
        if (denied.isPresent()) {
            return denied.get().asException();
        }
        if (failure instanceof MemberNotFoundException) {
            return Status.NOT_FOUND.withDescription(failure.getMessage()).asException();
        }
        if (failure instanceof NotEnoughDataException) {
            return Status.FAILED_PRECONDITION.withDescription(failure.getMessage()).asException();
        }
        if (failure instanceof InvalidInputException invalid) {
            return Status.INVALID_ARGUMENT.withDescription(invalid.field() + ": " + invalid.getMessage()).asException();
        }
        return Status.INTERNAL.withDescription("internal error").asException();
    }
}
