package io.memberpulse.devstack.testing;

import static io.restassured.RestAssured.given;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What every service answers without a token: Kubernetes' probes, Prometheus's scrape and whoever reads the
 * OpenAPI document have none to send. For the service under test (REST Assured's port).
 */
public final class OpenEndpoints {
    /** The paths every service leaves open. */
    public static final List<String> EVERY_SERVICE = List.of("/q/health/ready", "/q/health/live",
            "/q/health/started", "/q/metrics", "/q/openapi");

    private OpenEndpoints() {
    }

    /**
     * Asserts that a GET of each of {@link #EVERY_SERVICE} and of the service's own open pages answers 200
     * without a token (an empty Authorization header, so {@link AuthTestResource} adds none).
     *
     * @throws AssertionError naming every path that answered otherwise, with its status
     */
    public static void assertOpenWithoutToken(String... ownPages) {
        List<String> refused = new ArrayList<>();
        Stream.concat(EVERY_SERVICE.stream(), Stream.of(ownPages)).forEach(path -> {
            int status = given().header("Authorization", "").get(path).statusCode();
            if (status != 200) {
                refused.add("GET " + path + " answered " + status);
            }
        });
        if (!refused.isEmpty()) {
            throw new AssertionError("expected 200 without a token: " + String.join("; ", refused));
        }
    }
}
