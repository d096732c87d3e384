package io.memberpulse.identity;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import io.memberpulse.identity.store.WriterLock;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * memberpulse.identity.writer-ping-timeout is how long the writer lock's connection may take to answer the ping sent
 * before each write: past it the writer steps down, though its lock is held. A nanosecond, which no answer can meet,
 * stands for a database slower than the timeout.
 */
@QuarkusTest
@TestProfile(WriterPingTimeoutTest.OneNanosecond.class)
class WriterPingTimeoutTest {
    public static class OneNanosecond implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("memberpulse.identity.writer-ping-timeout", "PT0.000000001S");
        }
    }

    @Inject
    WriterLock lock;

    @Inject
    Pool pool;

    @Test
    void aPingNotAnsweredWithinTheTimeoutStepsTheWriterDownAndItsBatchIsNotWritten() {
        assertThat(lock.tryAcquire()).as("this instance writes").isTrue();
        WriterLock.Tenure tenure = lock.tenure();
        String run = UUID.randomUUID().toString().substring(0, 8);
        given().contentType("text/csv").body("""
                event_id,source,type,occurred_at,store_id,member_no
                wp-%1$s,pos,visit,2025-03-01T10:00:00+08:00,s-%1$s,WP-%1$s
                """.formatted(run)).post("/events/csv").then().statusCode(503).body("detail", containsString("writer lock"));
        assertThat(pool.preparedQuery("SELECT count(*) FROM channel_event WHERE event_id = $1").execute(Tuple.of("wp-" + run))
                .await().indefinitely().iterator().next().getLong(0)).isZero();
        // stepped down: the tenure that pinged is over (the standby's retry may have begun another since)
        assertThat(lock.tenure()).isNotEqualTo(tenure);
    }
}
