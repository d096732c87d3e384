package io.memberpulse.proto.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.memberpulse.proto.auth.AuthErrors;
import io.memberpulse.proto.checks.InvalidFieldException;
import io.quarkus.grpc.ExceptionHandler;
import io.quarkus.grpc.ExceptionHandlerProvider;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * How every service answers a failed gRPC call, the same way everywhere: a status already chosen passes
 * through; no valid token is UNAUTHENTICATED and a role or store the caller lacks PERMISSION_DENIED; a value
 * {@link io.memberpulse.proto.checks.FieldChecks} refused is INVALID_ARGUMENT "field: reason"; the service's own
 * errors get the codes its subclass gives them; anything else is INTERNAL "internal error", logged here
 * with its details, which never reach the caller (no class names, no SQL).
 */
public abstract class GrpcErrorMapping implements ExceptionHandlerProvider {
    private static final Logger LOG = Logger.getLogger(GrpcErrorMapping.class);

    /** The status of one of the service's own errors, or null when the failure is none of them. */
    protected abstract Status domainStatus(Throwable failure);

    /** INVALID_ARGUMENT as every service words it: "field: reason". */
    protected static Status invalidArgument(String field, String reason) {
        return Status.INVALID_ARGUMENT.withDescription(field + ": " + reason);
    }

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

    public StatusException toStatus(Throwable failure) {
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
        if (failure instanceof InvalidFieldException invalid) {
            return invalidArgument(invalid.field(), invalid.reason()).asException();
        }
        Status domain = domainStatus(failure);
        if (domain != null) {
            return domain.asException();
        }
        LOG.error("gRPC call failed", failure);
        return Status.INTERNAL.withDescription("internal error").asException();
    }
}
