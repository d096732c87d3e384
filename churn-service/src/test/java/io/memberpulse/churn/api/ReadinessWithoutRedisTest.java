package io.memberpulse.churn.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.containsStringIgnoringCase;

import io.memberpulse.devstack.testing.RedisDownProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Readiness is what a pod needs to answer: PostgreSQL. With Redis unreachable (here: a port where nothing listens, as
 * during a failover) the pod stays ready and answers reads from PostgreSQL; Redis and Kafka are reported in the
 * {@code dependencies} group instead, which the probes do not read.
 */
@QuarkusTest
@TestProfile(RedisDownProfile.class)
class ReadinessWithoutRedisTest {

    @Inject
    Pool database;

    String member = "ready-" + UUID.randomUUID();
    String store = "ready-store-" + UUID.randomUUID();

    @BeforeEach
    void storeAScore() {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        database.preparedQuery("""
                INSERT INTO churn_score (member_id, probability, model_version, as_of, horizon_days, home_store_id,
                  member_value, scored_at, published_at) VALUES ($1, 0.875, 'rhythm', $2, 90, $3, 120.0, $2, $2)""")
                .execute(Tuple.of(member, now, store)).await().atMost(Duration.ofSeconds(10));
    }

    @AfterEach
    void removeIt() {
        database.preparedQuery("DELETE FROM churn_score WHERE member_id = $1").execute(Tuple.of(member))
                .await().atMost(Duration.ofSeconds(10));
    }

    @Test
    void readyOnPostgresAloneWhileRedisIsDown() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItem("Reactive PostgreSQL connections health check"))
                .body("checks.name", everyItem(not(containsStringIgnoringCase("redis"))))
                .body("checks.name", everyItem(not(containsStringIgnoringCase("kafka"))))
                // the Kafka channels' readiness is off: SmallRye's check lists no channel
                .body("checks.find { it.name == 'SmallRye Reactive Messaging - readiness check' }.data", nullValue());
    }

    @Test
    void theDependenciesGroupReportsRedisDownAndKafkaUp() {
        given().get("/q/health/group/dependencies").then().statusCode(503).body("status", equalTo("DOWN"))
                .body("checks.name", hasItems("redis", "kafka"))
                .body("checks.find { it.name == 'redis' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'kafka' }.status", equalTo("UP"));
    }

    @Test
    void scoresAndRankingsAreReadFromPostgres() {
        given().get("/members/" + member + "/score").then().statusCode(200)
                .body("memberId", equalTo(member)).body("probability", equalTo(0.875f));
        given().get("/stores/" + store + "/top-risk").then().statusCode(200)
                .body("memberId", equalTo(java.util.List.of(member)));
    }
}
