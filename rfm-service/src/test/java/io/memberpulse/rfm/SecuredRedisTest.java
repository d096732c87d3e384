package io.memberpulse.rfm;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.devstack.testing.KafkaTestResource;
import io.memberpulse.devstack.testing.PasswordRedisTestResource;
import io.memberpulse.devstack.testing.PostgresTestResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * rfm-service on a Redis that refuses clients without its password, given nothing but the REDIS_HOST,
 * REDIS_PORT and REDIS_PASSWORD variables a deployment sets (no quarkus.redis.hosts): the health check's
 * ping is answered (readiness UP with Redis) and the service's own client writes and reads. Without the
 * password, the server answers NOAUTH to both.
 */
@QuarkusTest
@TestProfile(SecuredRedisTest.SignedIn.class)
class SecuredRedisTest {
    static final String REDIS_CHECK = "Redis connection health check";

    /** The usual infrastructure, with the password-protected Redis instead of the open one. */
    public static class SignedIn implements QuarkusTestProfile {
        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(PostgresTestResource.class, Map.of("database", "memberpulse_rfm")),
                    new TestResourceEntry(PasswordRedisTestResource.class), new TestResourceEntry(KafkaTestResource.class),
                    new TestResourceEntry(AuthTestResource.class));
        }
    }

    @Inject
    RedisDataSource redis;

    @ConfigProperty(name = "memberpulse.redis.key-prefix")
    String keyPrefix;

    @Test
    void theServiceSignsInWithTheEnvironmentsPassword() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.name", hasItem(REDIS_CHECK))
                .body("checks.find { it.name == '" + REDIS_CHECK + "' }.status", equalTo("UP"));

        String key = keyPrefix + "signed-in-" + UUID.randomUUID();
        redis.value(String.class).set(key, "yes");
        assertThat(redis.value(String.class).get(key)).isEqualTo("yes");
        redis.key().del(key);
    }
}
