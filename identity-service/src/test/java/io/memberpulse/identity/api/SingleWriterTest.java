package io.memberpulse.identity.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.memberpulse.identity.store.WriterLock;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** One writer per database: a second holder of the writer lock is refused, and an instance without it does not import. */
@QuarkusTest
class SingleWriterTest {
    @Inject
    Vertx vertx;

    @ConfigProperty(name = "quarkus.datasource.reactive.url")
    String url;

    @ConfigProperty(name = "quarkus.datasource.username")
    Optional<String> user;

    @ConfigProperty(name = "quarkus.datasource.password")
    Optional<String> password;

    @Inject
    WriterLock lock;

    @Test
    void aSecondHolderIsRefusedAndAnInstanceWithoutTheLockAnswers503AndIsNotReady() {
        given().get("/q/health/ready").then().statusCode(200).body("checks.name", hasItem("identity-writer-lock"));
        // another instance: a session of its own on the same database
        SqlConnection other = PgConnection.connect(vertx, WriterLock.connectOptions(url, user, password))
                .await().indefinitely();
        try {
            assertThat(tryLock(other)).as("a second instance while this one writes").isFalse();

            lock.release(); // this instance stops writing: the other one takes over
            assertThat(tryLock(other)).as("the lock once released").isTrue();
            assertThat(lock.tryAcquire()).as("this instance while the other writes").isFalse();

            given().contentType("text/csv").body(csv()).post("/events/csv").then().statusCode(503)
                    .header("Retry-After", "10").body("detail", containsString("writer lock"));
            given().get("/q/health/ready").then().statusCode(503)
                    .body("checks.find { it.name == 'identity-writer-lock' }.status", equalTo("DOWN"))
                    .body("checks.find { it.name == 'identity-writer-lock' }.data.reason", containsString("not the writer"));
        } finally {
            other.close().await().indefinitely(); // the other instance goes away: its lock with it
        }
        assertThat(lock.tryAcquire()).as("this instance once the other is gone").isTrue();
        given().contentType("text/csv").body(csv()).post("/events/csv").then().statusCode(200).body("accepted", equalTo(1));
        given().get("/q/health/ready").then().statusCode(200);
    }

    private static boolean tryLock(SqlConnection connection) {
        return connection.preparedQuery("SELECT pg_try_advisory_lock($1)").execute(Tuple.of(WriterLock.KEY))
                .await().indefinitely().iterator().next().getBoolean(0);
    }

    private static String csv() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        return """
                event_id,source,type,occurred_at,store_id,member_no
                w-%1$s,pos,visit,2025-03-01T10:00:00+08:00,s-%1$s,WL-%1$s
                """.formatted(run);
    }
}
