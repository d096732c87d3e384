package io.memberpulse.identity;

import static io.memberpulse.identity.ResolveBodies.identifiers;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItems;

import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.devstack.testing.SecuredInfrastructureTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * identity-service on infrastructure secured as a platform team runs it (PostgreSQL, Redis and Kafka speak only TLS,
 * from a CA the JVM does not know), with nothing but the POSTGRES_*, REDIS_* and KAFKA_* variables a deployment sets.
 * Besides the pool and Flyway, the writer lock's connection of its own must reach PostgreSQL over the same TLS: a
 * plaintext one is refused, and the instance would stay a standby whose imports answer 503.
 */
@QuarkusTest
@TestProfile(SecuredInfrastructureTest.Secured.class)
class SecuredInfrastructureTest {

    /** The secured servers instead of the usual open ones. */
    public static class Secured implements QuarkusTestProfile {
        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SecuredInfrastructureTestResource.class,
                    Map.of("database", "memberpulse_identity")), new TestResourceEntry(AuthTestResource.class));
        }
    }

    @Test
    void theWriterLockAndEveryOtherConnectionAreUpOverVerifiedTlsAndImportsAreTaken() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("identity-writer-lock", "Reactive PostgreSQL connections health check"))
                .body("checks.status", everyItem(equalTo("UP"))));
        // Kafka, reported apart from readiness by an admin client made from the same variables (no Redis: unused)
        given().get("/q/health/group/dependencies").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", contains("kafka"));
        String run = UUID.randomUUID().toString().substring(0, 8);
        given().contentType("text/csv").body("event_id,source,type,occurred_at,store_id,member_no\n"
                + "tls-%1$s,pos,visit,2025-03-01T10:00:00+08:00,s-tls,TLS-%1$s\n".formatted(run))
                .post("/events/csv").then().statusCode(200).body("accepted", equalTo(1));
        given().spec(identifiers("member_no", "TLS-" + run)).post("/members/resolve").then().statusCode(200);
    }
}
