package io.memberpulse.proto.auth;

import io.grpc.Status;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import java.util.Optional;

/** Security failures as gRPC statuses, for every service's error mapper (REST has Quarkus's own 401 and 403). */
public final class AuthErrors {
    private AuthErrors() {
    }

    /** UNAUTHENTICATED without a valid token, PERMISSION_DENIED for a role or store not the caller's; else empty. */
    public static Optional<Status> grpcStatus(Throwable failure) {
        if (failure instanceof UnauthorizedException || failure instanceof AuthenticationFailedException) {
            return Optional.of(Status.UNAUTHENTICATED.withDescription(
                    "a valid bearer token is required (authorization metadata: Bearer <JWT>)"));
        }
        if (failure instanceof ForbiddenException) {
            return Optional.of(Status.PERMISSION_DENIED.withDescription("the caller's roles do not allow this call"));
        }
        if (failure instanceof StoreNotPermittedException) {
            return Optional.of(Status.PERMISSION_DENIED.withDescription(failure.getMessage()));
        }
        return Optional.empty();
    }
}
