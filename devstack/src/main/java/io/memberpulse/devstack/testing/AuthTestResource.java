package io.memberpulse.devstack.testing;

import io.grpc.ClientInterceptor;
import io.memberpulse.devstack.auth.DevTokens;
import io.memberpulse.proto.auth.BearerTokenCallCredentials;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.restassured.RestAssured;
import io.restassured.filter.Filter;
import io.smallrye.jwt.build.Jwt;
import java.util.Map;
import java.util.Set;

/**
 * Bearer tokens for one test JVM: the service verifies tokens signed by a key pair made for this run, and
 * every REST Assured request carries an analyst's token unless a test sends its own Authorization header
 * (an empty one: no token at all). gRPC tests attach a token with {@link #as(String)}.
 */
public class AuthTestResource implements QuarkusTestResourceLifecycleManager {
    private static final DevTokens TOKENS = DevTokens.generate();

    /** The signer whose tokens the services under test accept. */
    public static DevTokens tokens() {
        return TOKENS;
    }

    private static final String ANALYST = TOKENS.analyst();

    /** An analyst's (and channel integration's) token, valid for the whole test run, benchmarks included. */
    public static String analyst() {
        return ANALYST;
    }

    /** A store staff member's token for storeId. */
    public static String staff(String storeId) {
        return TOKENS.staff(storeId);
    }

    /** A token with exactly these roles and no store. */
    public static String withRoles(String... roles) {
        return TOKENS.token("caller@memberpulse.test", Set.of(roles), null, DevTokens.LAUNCHER_TTL);
    }

    /**
     * Analyst tokens signed with the key the services trust, each wrong in one other way, by what is wrong: every one
     * must be refused as no token at all.
     */
    public static Map<String, String> wellSignedButInvalid() {
        long now = java.time.Instant.now().getEpochSecond();
        Set<String> analyst = Set.of(io.memberpulse.proto.auth.Roles.ANALYST);
        return Map.of(
                "issued to another app (audience)", TOKENS.sign(Jwt.issuer(DevTokens.ISSUER).audience("another-app")
                        .subject("mallory").groups(analyst).expiresIn(3600)),
                "for no audience", TOKENS.sign(Jwt.issuer(DevTokens.ISSUER).subject("mallory").groups(analyst)
                        .expiresIn(3600)),
                "from another issuer", TOKENS.sign(Jwt.issuer("https://elsewhere.example/").audience(DevTokens.AUDIENCE)
                        .subject("mallory").groups(analyst).expiresIn(3600)),
                "expired (beyond the minute of clock skew allowed)", TOKENS.sign(Jwt.issuer(DevTokens.ISSUER)
                        .audience(DevTokens.AUDIENCE).subject("mallory").groups(analyst).issuedAt(now - 3600)
                        .expiresAt(now - 120)));
    }

    /** A client interceptor sending the token on every call of a gRPC channel or stub. */
    public static ClientInterceptor as(String token) {
        return new BearerTokenCallCredentials(token).interceptor();
    }

    /** Adds an analyst's token to a request that has no Authorization header (an empty one: no token). */
    private static final Filter ANALYST_UNLESS_GIVEN = (request, response, context) -> {
        if (!request.getHeaders().hasHeaderWithName("Authorization")) {
            request.header("Authorization", "Bearer " + analyst());
        }
        return context.next(request, response);
    };

    @Override
    public Map<String, String> start() {
        RestAssured.filters(ANALYST_UNLESS_GIVEN);
        return Map.of("mp.jwt.verify.publickey", TOKENS.publicKeyPem(), "mp.jwt.verify.issuer", DevTokens.ISSUER,
                "mp.jwt.verify.audiences", DevTokens.AUDIENCE);
    }

    @Override
    public void stop() {
        RestAssured.replaceFiltersWith(java.util.List.of());
    }
}
