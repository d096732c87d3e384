package io.memberpulse.campaign.api.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.memberpulse.campaign.domain.InvalidArgumentException;
import io.memberpulse.campaign.domain.StoreNotFoundException;
import io.memberpulse.campaign.domain.TaskConflictException;
import io.memberpulse.campaign.domain.TaskNotFoundException;
import io.memberpulse.proto.auth.AuthErrors;
import io.quarkus.grpc.ExceptionHandler;
import io.quarkus.grpc.ExceptionHandlerProvider;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/** Domain errors to gRPC status codes, once for every gRPC service of campaign-service. */
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
        // No token or a bad one: UNAUTHENTICATED; a role that may not: PERMISSION_DENIED (else they became INTERNAL).
        var denied = AuthErrors.grpcStatus(failure);
        if (denied.isPresent()) {
            return denied.get().asException();
        }
        if (failure instanceof StatusException status) {
            return status;
        }
        if (failure instanceof StatusRuntimeException status) {
            return new StatusException(status.getStatus(), status.getTrailers());
        }
        if (failure instanceof TaskNotFoundException || failure instanceof io.memberpulse.campaign.domain.CampaignNotFoundException
                || failure instanceof io.memberpulse.campaign.domain.MemberNotFoundException) {
            return Status.NOT_FOUND.withDescription(failure.getMessage()).asException();
        }
        if (failure instanceof TaskConflictException) {
            // ABORTED: the gRPC code for a concurrency conflict the client resolves by re-reading.
            return Status.ABORTED.withDescription(failure.getMessage()).asException();
        }
        if (failure instanceof StoreNotFoundException) {
            return Status.NOT_FOUND.withDescription(failure.getMessage()).asException();
        }
        if (failure instanceof InvalidArgumentException) {
            return Status.INVALID_ARGUMENT.withDescription(failure.getMessage()).asException();
        }
        // Details stay in the log: the caller gets no class names or SQL.
        LOG.error("gRPC call failed", failure);
        return Status.INTERNAL.withDescription("internal error").asException();
    }
}
