package io.memberpulse.rfm.api.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.memberpulse.proto.auth.AuthErrors;
import io.memberpulse.rfm.domain.InvalidParameterException;
import io.memberpulse.rfm.domain.MemberNotFoundException;
import io.memberpulse.rfm.domain.UnknownSegmentException;
import io.quarkus.grpc.ExceptionHandler;
import io.quarkus.grpc.ExceptionHandlerProvider;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Domain errors to gRPC status codes, once for every gRPC service of rfm-service: no valid token
 * UNAUTHENTICATED, a role the caller lacks PERMISSION_DENIED, a refused field INVALID_ARGUMENT
 * "field: reason", an unknown member or segment NOT_FOUND, anything else INTERNAL (details in the log,
 * never in the answer).
 */
@ApplicationScoped
class GrpcErrorMapper implements ExceptionHandlerProvider {
    private static final Logger LOG = Logger.getLogger(GrpcErrorMapper.class);

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
        // a missing or invalid token, or a role the caller lacks: not an internal error (nor logged as one)
        Optional<Status> denied = AuthErrors.grpcStatus(failure);
        if (denied.isPresent()) {
            return denied.get().asException();
        }
        if (failure instanceof InvalidParameterException invalid) {
            return Status.INVALID_ARGUMENT.withDescription(invalid.field() + ": " + invalid.getMessage()).asException();
        }
        if (failure instanceof MemberNotFoundException || failure instanceof UnknownSegmentException) {
            return Status.NOT_FOUND.withDescription(failure.getMessage()).asException();
        }
        LOG.error("gRPC call failed", failure);
        return Status.INTERNAL.withDescription("internal error").asException();
    }
}
