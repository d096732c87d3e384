package io.memberpulse.identity.store;

import static io.memberpulse.identity.ResolveBodies.identifiers;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.google.protobuf.Timestamp;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.Identifiers;
import io.memberpulse.proto.identity.v1.Source;
import io.memberpulse.proto.kafka.Topics;
import io.quarkus.test.junit.QuarkusTest;
import io.netty.util.concurrent.EventExecutor;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The writer lock's session ended by the server (pg_terminate_backend stands for a network cut, an idle timeout, a
 * failover) and the lock taken by another instance: this instance must not write, whether or not it heard of the
 * loss. The half-open case, where it never hears of it, is made with {@link WriterLock#noticeLoss}: then only the
 * fence in the write transaction stands between two writers.
 */
@QuarkusTest
class WriterFenceTest {
    @Inject
    Vertx vertx;

    @Inject
    WriterLock lock;

    @Inject
    Pool pool;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    OtherInstance other;

    @BeforeEach
    void connect() {
        assertThat(lock.tryAcquire()).as("this instance writes").isTrue();
        other = OtherInstance.connect(vertx);
    }

    @AfterEach
    void restore() {
        lock.noticeLoss(true);
        lock.release(); // a lock whose loss went unheard included: the next test starts a tenure of its own
        other.close(); // the other instance goes away, its lock with it
        await().atMost(Duration.ofSeconds(30)).until(lock::tryAcquire);
    }

    @Test
    void theWriterStillHoldingTheLockWrites() {
        String run = run();
        given().contentType("text/csv").body(csv(run)).post("/events/csv").then().statusCode(200).body("accepted", equalTo(1));
        assertThat(stored(run)).isEqualTo(1);
        assertThat(lock.held()).isTrue();
    }

    @Test
    void theFenceKnowsTheLockSessionByItsPidAndItsStartSoAReusedPidDoesNotPass() {
        WriterLock.Tenure tenure = lock.tenure();
        assertThat(fenced(tenure)).as("the backend that took the lock in this tenure").isTrue();
        // The pid of a backend that ended may be given to a later one, which may hold the lock in another instance's
        // tenure: here the live lock holder stands for that later backend, which started at another time.
        WriterLock.Tenure reused = new WriterLock.Tenure(tenure.number(), tenure.backendPid(),
                tenure.backendStart().minusSeconds(1));
        assertThat(fenced(reused)).as("a tenure whose backend had the same pid but started earlier").isFalse();
    }

    @Test
    void aWriterWhoseLockSessionEndedWritesNothingAndStepsDownWhetherOrNotItHeardOfIt() {
        lockTakenByTheOtherInstance(true);
        String heard = run();
        given().contentType("text/csv").body(csv(heard)).post("/events/csv").then().statusCode(503)
                .body("detail", containsString("writer lock"));
        assertThat(stored(heard)).isZero();
        assertThat(lock.held()).isFalse();
    }

    @Test
    void aHalfOpenWriterIsFencedOffInItsTransactionAndItsBatchIsImportedOnceItWritesAgain() {
        lockTakenByTheOtherInstance(false);
        assertThat(lock.held()).as("the loss unheard of").isTrue();
        String run = run();
        given().contentType("text/csv").body(csv(run)).post("/events/csv").then().statusCode(503)
                .body("detail", containsString("nothing was written"));
        assertThat(stored(run)).as("events").isZero();
        assertThat(pool.preparedQuery("SELECT count(*) FROM member_identifier WHERE upper(value) = upper($1)")
                .execute(Tuple.of("WF-" + run)).await().indefinitely().iterator().next().getLong(0))
                .as("identifiers").isZero();
        assertThat(lock.held()).as("stepped down").isFalse();
        given().get("/q/health/ready").then().statusCode(503);

        lock.noticeLoss(true);
        other.close();
        other = OtherInstance.connect(vertx);
        assertThat(lock.tryAcquire()).as("the lock taken again").isTrue();
        given().contentType("text/csv").body(csv(run)).post("/events/csv").then().statusCode(200)
                .body("accepted", equalTo(1)).body("duplicates", equalTo(0));
        assertThat(stored(run)).isEqualTo(1);
    }

    @Test
    void aHalfOpenWritersSplitIsFencedOffInItsTransactionAndGoesThroughOnceItWritesAgain() {
        String run = run();
        given().contentType("text/csv").body("""
                event_id,source,type,occurred_at,store_id,member_no
                wf-%1$s,pos,visit,2025-03-01T10:00:00+08:00,s-%1$s,WF-%1$s
                wg-%1$s,pos,visit,2025-03-02T10:00:00+08:00,s-%1$s,WF-%1$s
                """.formatted(run)).post("/events/csv").then().statusCode(200).body("accepted", equalTo(2));
        String member = given().spec(identifiers("member_no", "WF-" + run)).post("/members/resolve").then().statusCode(200)
                .extract().path("memberId");
        String split = "{\"parts\": [{\"eventKeys\": [\"pos:wg-" + run + "\"]}], \"reason\": \"two people\"}";

        lockTakenByTheOtherInstance(false);
        assertThat(lock.held()).as("the loss unheard of").isTrue();
        given().contentType("application/json").body(split).post("/members/" + member + "/split").then().statusCode(503)
                .body("detail", containsString("nothing was written"));
        assertThat(splits(member)).as("splits").isZero();
        assertThat(pool.preparedQuery("SELECT count(*) FROM channel_event WHERE event_id IN ($1, $2) AND member_id = $3")
                .execute(Tuple.of("wf-" + run, "wg-" + run, member)).await().indefinitely().iterator().next().getLong(0))
                .as("events still the member's").isEqualTo(2);
        assertThat(pool.preparedQuery("SELECT count(*) FROM member_cannot_link WHERE $1 IN (member_a, member_b)")
                .execute(Tuple.of(member)).await().indefinitely().iterator().next().getLong(0))
                .as("negative evidence").isZero();
        assertThat(lock.held()).as("stepped down").isFalse();

        lock.noticeLoss(true);
        other.close();
        other = OtherInstance.connect(vertx);
        assertThat(lock.tryAcquire()).as("the lock taken again").isTrue();
        given().contentType("application/json").body(split).post("/members/" + member + "/split").then().statusCode(200);
        assertThat(splits(member)).isEqualTo(1);
    }

    @Test
    void aHalfOpenWritersKafkaPollIsNeitherWrittenNorAcknowledgedAndIsImportedOnceItWritesAgain() {
        lockTakenByTheOtherInstance(false);
        String run = run();
        Instant at = Instant.parse("2025-03-01T02:00:00Z");
        ChannelEvent event = ChannelEvent.newBuilder().setEventId("wf-" + run).setSource(Source.SOURCE_POS)
                .setType(EventType.EVENT_TYPE_VISIT).setStoreId("s-" + run)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond()))
                .setIdentifiers(Identifiers.newBuilder().setMemberNo("WF-" + run)).build();
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.produce(String.class, byte[].class)
                    .fromRecords(new ProducerRecord<>(Topics.CHANNEL_EVENTS, run, event.toByteArray())).awaitCompletion();
        }
        // the poll's write found the lock gone: only the fence can have told (the loss is unheard of)
        await().atMost(Duration.ofSeconds(60)).until(() -> !lock.held());
        assertThat(stored(run)).isZero();

        lock.noticeLoss(true);
        other.close();
        other = OtherInstance.connect(vertx);
        assertThat(lock.tryAcquire()).isTrue();
        await().atMost(Duration.ofSeconds(90)).until(() -> stored(run) == 1); // the poll, retried, not skipped
    }

    @Test
    void aNewWriterWaitsUntilTheTransactionsTheFormerWriterFencedHaveEnded() {
        // a former writer's transaction past its fence (holding FENCE_KEY shared): it may still commit
        Transaction former = other.session().begin().await().indefinitely();
        other.session().preparedQuery("SELECT pg_advisory_xact_lock_shared($1)").execute(Tuple.of(WriterLock.FENCE_KEY))
                .await().indefinitely();
        lock.release();
        assertThat(lock.tryAcquire()).as("while that transaction is open").isFalse();
        // Given up meanwhile: the server frees the lock when the closed session's backend has exited, a moment after
        // the close; and SingleWriter's retry may hold it again for its own 5-s wait, so look more than once.
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(other::tryLock);
        other.unlock();
        former.commit().await().indefinitely();
        assertThat(lock.tryAcquire()).as("once it ended").isTrue();
    }

    @Test
    void theLockSessionEndingWhileTheLockIsBeingTakenBlocksNoEventLoop() throws Exception {
        // the new writer waits in the drain for a former writer's transaction past its fence
        Transaction former = other.session().begin().await().indefinitely();
        other.session().preparedQuery("SELECT pg_advisory_xact_lock_shared($1)").execute(Tuple.of(WriterLock.FENCE_KEY))
                .await().indefinitely();
        lock.release();
        CompletableFuture<Boolean> taking = CompletableFuture.supplyAsync(lock::tryAcquire);
        // (SingleWriter's retry may be the one waiting: the same lock connection, and this tryAcquire waits its turn)
        int draining = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(this::backendWaitingForTheFence, Objects::nonNull);
        assertThat(other.session().preparedQuery("SELECT pg_terminate_backend($1)").execute(Tuple.of(draining))
                .await().indefinitely().iterator().next().getBoolean(0)).isTrue();

        // The lock connection's close handler runs on an event loop while the lock is still being taken: every event
        // loop (HTTP requests, PostgreSQL replies, Kafka callbacks) must go on answering meanwhile.
        long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < until) {
            assertEveryEventLoopAnswersWithin(Duration.ofMillis(500));
            Thread.sleep(50);
        }
        assertThat(taking.get(30, TimeUnit.SECONDS)).as("taken while the former transaction is open").isFalse();
        assertThat(lock.held()).isFalse();
        former.commit().await().indefinitely();
        assertThat(lock.tryAcquire()).as("once it ended").isTrue();
    }

    /** The backend of this instance's lock connection while it waits for {@link WriterLock#FENCE_KEY}, else null. */
    private Integer backendWaitingForTheFence() {
        var rows = pool.preparedQuery("""
                SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
                    AND classid::int8 = $1 AND objid::int8 = $2 AND objsubid = 1""")
                .execute(Tuple.of(WriterLock.FENCE_KEY >>> 32, WriterLock.FENCE_KEY & 0xFFFF_FFFFL)).await().indefinitely();
        return rows.size() == 0 ? null : rows.iterator().next().getInteger(0);
    }

    private void assertEveryEventLoopAnswersWithin(Duration limit) throws Exception {
        List<CompletableFuture<Void>> answers = new ArrayList<>();
        for (EventExecutor loop : vertx.getDelegate().nettyEventLoopGroup()) {
            CompletableFuture<Void> answered = new CompletableFuture<>();
            loop.execute(() -> answered.complete(null));
            answers.add(answered);
        }
        try {
            CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("an event loop did not answer within " + limit.toMillis() + " ms", e);
        }
    }

    /**
     * The server ends this instance's lock session and the other instance takes the lock.
     *
     * @param heard whether this instance may hear of it (its close handler runs, its ping fails)
     */
    private void lockTakenByTheOtherInstance(boolean heard) {
        lock.noticeLoss(heard);
        int backend = lock.tenure().backendPid();
        assertThat(other.session().preparedQuery("SELECT pg_terminate_backend($1)").execute(Tuple.of(backend))
                .await().indefinitely().iterator().next().getBoolean(0)).isTrue();
        // the backend ends a moment after the signal, and the lock with it
        await().atMost(Duration.ofSeconds(30)).until(other::tryLock);
    }

    /** Whether a write transaction of {@code tenure} passes the fence (then it writes nothing here). */
    private boolean fenced(WriterLock.Tenure tenure) {
        return pool.withTransaction(connection -> lock.fence(connection, tenure)).await().indefinitely();
    }

    private long splits(String member) {
        return pool.preparedQuery("SELECT count(*) FROM member_split WHERE original_member_id = $1").execute(Tuple.of(member))
                .await().indefinitely().iterator().next().getLong(0);
    }

    private long stored(String run) {
        return pool.preparedQuery("SELECT count(*) FROM channel_event WHERE event_id = $1").execute(Tuple.of("wf-" + run))
                .await().indefinitely().iterator().next().getLong(0);
    }

    private static String run() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private static String csv(String run) {
        return """
                event_id,source,type,occurred_at,store_id,member_no
                wf-%1$s,pos,visit,2025-03-01T10:00:00+08:00,s-%1$s,WF-%1$s
                """.formatted(run);
    }
}
