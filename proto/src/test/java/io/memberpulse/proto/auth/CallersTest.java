package io.memberpulse.proto.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Metadata;
import io.grpc.Status;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

class CallersTest {
    /** A verified token's claims, as smallrye-jwt hands them over. */
    static SecurityIdentity caller(Set<String> roles, Map<String, Object> claims) {
        JsonWebToken token = new JsonWebToken() {
            @Override
            public String getName() {
                return "someone";
            }

            @Override
            public Set<String> getClaimNames() {
                return claims.keySet();
            }

            @Override
            @SuppressWarnings("unchecked")
            public <T> T getClaim(String name) {
                return (T) claims.get(name);
            }
        };
        QuarkusSecurityIdentity.Builder builder = QuarkusSecurityIdentity.builder().setPrincipal(token);
        roles.forEach(builder::addRole);
        return builder.build();
    }

    @Test
    void analystsSeeEveryStoreAndStaffOnlyTheStoreTheirTokenNames() {
        SecurityIdentity analyst = caller(Set.of(Roles.ANALYST), Map.of());
        assertThat(Callers.boundStore(analyst)).isEmpty();
        assertThat(Callers.maySee(analyst, "s2")).isTrue();
        assertThat(Callers.maySee(analyst, null)).isTrue();

        SecurityIdentity staff = caller(Set.of(Roles.STAFF), Map.of(Roles.STORE_CLAIM, "s1"));
        assertThat(Callers.boundStore(staff)).contains("s1");
        assertThat(Callers.maySee(staff, "s1")).isTrue();
        assertThat(Callers.maySee(staff, "s2")).isFalse();
        assertThat(Callers.maySee(staff, null)).as("every store at once").isFalse();
        assertThatThrownBy(() -> Callers.requireMaySee(staff, "s2")).isInstanceOf(StoreNotPermittedException.class)
                .hasMessage("staff of store s1 may not see store s2");

        SecurityIdentity storeless = caller(Set.of(Roles.STAFF), Map.of());
        assertThat(Callers.boundStore(storeless)).contains("");
        assertThat(Callers.maySee(storeless, "")).as("no store is theirs, not even an empty id").isFalse();
        assertThat(Callers.maySee(caller(Set.of(Roles.INGEST), Map.of()), "s1")).isFalse();
    }

    @Test
    void onlyABearerAuthorizationIsTakenAsAToken() {
        BearerTokenMechanism mechanism = new BearerTokenMechanism();
        Metadata bearer = new Metadata();
        bearer.put(BearerTokenMechanism.AUTHORIZATION, "bearer  abc.def.ghi ");
        assertThat(mechanism.handles(bearer)).isTrue();
        assertThat(((TokenAuthenticationRequest) mechanism.createAuthenticationRequest(bearer)).getToken().getToken())
                .isEqualTo("abc.def.ghi");
        Metadata twice = new Metadata();
        twice.put(BearerTokenMechanism.AUTHORIZATION, "Bearer abc.def.ghi");
        twice.put(BearerTokenMechanism.AUTHORIZATION, "Bearer jkl.mno.pqr");
        assertThatThrownBy(() -> mechanism.createAuthenticationRequest(twice))
                .isInstanceOf(io.quarkus.security.AuthenticationFailedException.class);
        Metadata basic = new Metadata();
        basic.put(BearerTokenMechanism.AUTHORIZATION, "Basic dXNlcjpwdw==");
        assertThat(mechanism.handles(basic)).isFalse();
        assertThat(mechanism.handles(new Metadata())).isFalse();
        Metadata empty = new Metadata();
        empty.put(BearerTokenMechanism.AUTHORIZATION, "Bearer ");
        assertThat(mechanism.handles(empty)).isFalse();
    }

    @Test
    void securityFailuresBecomeTheirGrpcStatuses() {
        assertThat(AuthErrors.grpcStatus(new UnauthorizedException())).get().extracting(Status::getCode)
                .isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(AuthErrors.grpcStatus(new ForbiddenException())).get().extracting(Status::getCode)
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(AuthErrors.grpcStatus(new StoreNotPermittedException("s1", "s2"))).get()
                .extracting(Status::getDescription).isEqualTo("staff of store s1 may not see store s2");
        assertThat(AuthErrors.grpcStatus(new IllegalStateException())).isEmpty();
    }
}
