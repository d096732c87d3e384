package io.memberpulse.identity.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.memberpulse.identity.store.OtherInstance;
import io.memberpulse.identity.store.WriterLock;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.core.Vertx;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** One writer per database: a second holder of the writer lock is refused, and an instance without it does not import. */
@QuarkusTest
class SingleWriterTest {
    @Inject
    Vertx vertx;

    @Inject
    WriterLock lock;

    @Test
    void aSecondHolderIsRefusedAndAnInstanceWithoutTheLockAnswers503AndIsNotReady() {
        given().get("/q/health/ready").then().statusCode(200).body("checks.name", hasItem("identity-writer-lock"));
        try (OtherInstance other = OtherInstance.connect(vertx)) { // closed: the other instance goes away, its lock with it
            assertThat(other.tryLock()).as("a second instance while this one writes").isFalse();

            lock.release(); // this instance stops writing: the other one takes over
            assertThat(other.tryLock()).as("the lock once released").isTrue();
            assertThat(lock.tryAcquire()).as("this instance while the other writes").isFalse();

            given().contentType("text/csv").body(csv()).post("/events/csv").then().statusCode(503)
                    .header("Retry-After", "10").body("detail", containsString("writer lock"));
            given().get("/q/health/ready").then().statusCode(503)
                    .body("checks.find { it.name == 'identity-writer-lock' }.status", equalTo("DOWN"))
                    .body("checks.find { it.name == 'identity-writer-lock' }.data.reason", containsString("not the writer"));
        }
        assertThat(lock.tryAcquire()).as("this instance once the other is gone").isTrue();
        given().contentType("text/csv").body(csv()).post("/events/csv").then().statusCode(200).body("accepted", equalTo(1));
        given().get("/q/health/ready").then().statusCode(200);
    }

    private static String csv() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        return """
                event_id,source,type,occurred_at,store_id,member_no
                w-%1$s,pos,visit,2025-03-01T10:00:00+08:00,s-%1$s,WL-%1$s
                """.formatted(run);
    }
}
