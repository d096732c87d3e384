package io.memberpulse.proto.auth;

import io.grpc.Metadata;
import io.quarkus.grpc.auth.GrpcSecurityMechanism;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.smallrye.jwt.runtime.auth.JsonWebTokenCredential;
import jakarta.inject.Singleton;
import java.util.Locale;

/**
 * The gRPC twin of REST's bearer authentication: the token in the {@code authorization} metadata is
 * verified by the same identity provider (smallrye-jwt), so {@code @RolesAllowed} reads the same roles on
 * both. The gRPC servers run apart from HTTP, where Quarkus's HTTP mechanisms do not reach.
 */
@Singleton
public class BearerTokenMechanism implements GrpcSecurityMechanism {
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String BEARER = "bearer ";

    @Override
    public boolean handles(Metadata metadata) {
        String value = metadata.get(AUTHORIZATION);
        return value != null && value.length() > BEARER.length()
                && value.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER);
    }

    /** @throws AuthenticationFailedException for two authorization values: which caller is it? (UNAUTHENTICATED) */
    @Override
    public AuthenticationRequest createAuthenticationRequest(Metadata metadata) {
        Iterable<String> values = metadata.getAll(AUTHORIZATION);
        if (values != null && java.util.stream.StreamSupport.stream(values.spliterator(), false).count() > 1) {
            throw new AuthenticationFailedException("more than one authorization value");
        }
        String token = metadata.get(AUTHORIZATION).substring(BEARER.length()).strip();
        return new TokenAuthenticationRequest(new JsonWebTokenCredential(token)); // what smallrye-jwt verifies
    }
}
