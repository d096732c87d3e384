package io.memberpulse.rfm.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsStringIgnoringCase;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

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
 * Readiness is PostgreSQL alone: with Redis unreachable (a port where nothing listens, as during a failover) the pod
 * stays ready and a member's RFM is read from PostgreSQL, as on a cache miss.
 */
@QuarkusTest
@TestProfile(RedisDownProfile.class)
class ReadinessWithoutRedisTest {

    @Inject
    Pool database;

    String member = "ready-" + UUID.randomUUID();

    @BeforeEach
    void storeARow() {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        database.preparedQuery("""
                INSERT INTO member_rfm (member_id, as_of, last_purchase_at, recency_days, frequency_7d, frequency_14d,
                  frequency_30d, frequency_90d, weighted_frequency_30d, weighted_frequency_90d, monetary_net_30d,
                  monetary_net_90d, monetary_margin_90d, orders_total, monetary_net_total, home_store_id, updated_at)
                VALUES ($1, $2, $2, 0, 1, 1, 1, 1, 1, 1, 42.5, 42.5, 10, 1, 42.5, 'ready-store', $2)""")
                .execute(Tuple.of(member, now)).await().atMost(Duration.ofSeconds(10));
    }

    @AfterEach
    void removeIt() {
        database.preparedQuery("DELETE FROM member_rfm WHERE member_id = $1").execute(Tuple.of(member))
                .await().atMost(Duration.ofSeconds(10));
    }

    @Test
    void readyOnPostgresAloneWhileRedisIsDown() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItem("Reactive PostgreSQL connections health check"))
                .body("checks.name", everyItem(not(containsStringIgnoringCase("redis"))));
        given().get("/q/health/group/dependencies").then().statusCode(503)
                .body("checks.find { it.name == 'redis' }.status", equalTo("DOWN"));
    }

    @Test
    void aMembersRfmIsReadFromPostgres() {
        given().get("/members/" + member + "/rfm").then().statusCode(200).body("rfm.memberId", equalTo(member))
                .body("rfm.monetaryNet90d", equalTo(42.5f));
    }
}
