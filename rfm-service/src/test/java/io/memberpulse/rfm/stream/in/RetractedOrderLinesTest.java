package io.memberpulse.rfm.stream.in;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import com.google.protobuf.Timestamp;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.Review;
import io.memberpulse.proto.identity.v1.Source;
import io.memberpulse.proto.kafka.MemberEventDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.proto.kafka.SegmentChangedDeserializer;
import io.memberpulse.proto.kafka.Topics;
import io.memberpulse.proto.segments.v1.SegmentChanged;
import io.memberpulse.rfm.MemberFacts;
import io.memberpulse.rfm.MemberStates;
import io.memberpulse.rfm.RecomputeRfmService;
import io.memberpulse.rfm.domain.MemberFact;
import io.memberpulse.rfm.domain.RfmSnapshot;
import io.memberpulse.rfm.store.ActivityRepository;
import io.memberpulse.rfm.store.RfmCache;
import io.memberpulse.rfm.store.MemberRowRepository;
import io.memberpulse.rfm.store.PurchaseLineRepository;
import io.memberpulse.rfm.store.StreamClockRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * identity-service publishes an order line it already published as counted again with duplicate_order when it pairs
 * it with another channel's report of the same order only later: rfm un-counts the stored line (found by source +
 * event_id, whichever member the event names) and recomputes the member who held it. Through a real broker.
 */
@QuarkusTest
class RetractedOrderLinesTest {
    static final Instant DAY0 = Instant.parse("2024-05-01T10:00:00Z");
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String RETRACTED = "memberpulse.rfm.purchase.lines.retracted";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    MemberRowRepository memberRows;

    @Inject
    PurchaseLineRepository purchaseLines;

    @Inject
    StreamClockRepository streamClock;

    @Inject
    MeterRegistry registry;

    @Inject
    ActivityRepository activities;

    @Inject
    RecomputeRfmService service;

    @Inject
    Pool pool;

    @Inject
    MemberFacts facts;

    @Inject
    RfmCache cache;

    @Inject
    MemberStates states;

    KafkaCompanion kafka;

    @BeforeEach
    void connect() {
        kafka = new KafkaCompanion(bootstrapServers);
        kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
        kafka.registerSerde(SegmentChanged.class, ProtobufSerdes.of(new SegmentChangedDeserializer()));
    }

    @AfterEach
    void close() {
        kafka.close();
    }

    /** The event-time clock now (other tests moved it): orders days before it are recent. */
    Instant now() {
        return streamClock.watermark().await().indefinitely().orElse(DAY0);
    }

    static MemberEvent line(String memberId, String eventId, Instant at, double paid) {
        return MemberEvent.newBuilder().setMemberId(memberId).setEvent(ChannelEvent.newBuilder()
                .setEventId(eventId).setSource(Source.SOURCE_DELIVERY).setType(EventType.EVENT_TYPE_ORDER)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond())).setStoreId("s-031")
                .setLine(OrderLine.newBuilder().setOrderId("o-" + eventId).setQuantity(1).setPaidAmount(paid))).build();
    }

    /** The same line published again as a duplicate, under the member holding it now. */
    static MemberEvent retraction(MemberEvent counted, String memberNow) {
        return counted.toBuilder().setMemberId(memberNow).setDuplicateOrder(true).build();
    }

    void send(MemberEvent... events) {
        kafka.produce(String.class, MemberEvent.class).fromRecords(Arrays.stream(events)
                .map(e -> new ProducerRecord<>(Topics.MEMBER_EVENTS, e.getMemberId(), e)).toList()).awaitCompletion();
    }

    void awaitRfm(String member, int orders, double monetaryTotal) {
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + member + "/rfm").then().statusCode(200)
                .body("rfm.ordersTotal", equalTo(orders))
                .body("rfm.frequency30d", equalTo(orders))
                .body("rfm.monetaryNetTotal", equalTo((float) monetaryTotal))
                .body("rfm.monetaryNet30d", equalTo((float) monetaryTotal)));
    }

    double retractedSoFar() {
        var counter = registry.find(RETRACTED).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aLinePublishedAgainAsADuplicateIsUncountedAndItsMemberRecomputed() {
        Instant now = now();
        String member = "m-" + UUID.randomUUID();
        var changes = kafka.consume(String.class, SegmentChanged.class).fromTopics(Topics.MEMBER_SEGMENTS);
        MemberEvent delivery = line(member, member + "-d1", now.minus(Duration.ofDays(3)), 300);
        // Three orders worth 500 within 30 days, the last a day ago: potential.
        send(delivery, line(member, member + "-p1", now.minus(Duration.ofDays(2)), 100),
                line(member, member + "-p2", now.minus(Duration.ofDays(1)), 100));
        awaitRfm(member, 3, 500);
        given().get("/members/" + member + "/rfm").then().body("segments", hasItem("potential"));
        double retractedBefore = retractedSoFar();

        send(retraction(delivery, member));

        awaitRfm(member, 2, 200);
        given().get("/members/" + member + "/rfm").then().body("segments", not(hasItem("potential")));
        await().atMost(WAIT).until(() -> changes.getRecords().stream().anyMatch(r -> r.key().equals(member)
                && r.value().getSegmentId().equals("potential") && r.value().getChange() == SegmentChanged.Change.CHANGE_LEFT));
        changes.stop();
        assertThat(retractedSoFar()).isGreaterThanOrEqualTo(retractedBefore + 1);
    }

    @Test
    void aRetractionComingTwiceAndItsLineComingAgainChangeNothingMore() {
        Instant now = now();
        String member = "m-" + UUID.randomUUID();
        MemberEvent delivery = line(member, member + "-d1", now.minus(Duration.ofDays(3)), 300);
        send(delivery, line(member, member + "-p1", now.minus(Duration.ofDays(2)), 100));
        awaitRfm(member, 2, 400);
        double retractedBefore = retractedSoFar();
        send(retraction(delivery, member));
        awaitRfm(member, 1, 100);

        // Re-deliveries of the retraction and of the first publication, then a new order on the same partition:
        // once it is counted, they were consumed before it.
        send(retraction(delivery, member), delivery, line(member, member + "-p2", now.minus(Duration.ofDays(1)), 50));

        awaitRfm(member, 2, 150);
        assertThat(retractedSoFar()).as("the line was deleted once").isEqualTo(retractedBefore + 1);
    }

    @Test
    void aRetractionNamingAnotherMemberUncountsTheLineWhereItIsStored() {
        Instant now = now();
        String holder = "m-" + UUID.randomUUID();
        String survivor = "m-" + UUID.randomUUID(); // identity merged the holder into it; rfm has not seen the merge yet
        MemberEvent delivery = line(holder, holder + "-d1", now.minus(Duration.ofDays(3)), 300);
        send(delivery, line(holder, holder + "-p1", now.minus(Duration.ofDays(2)), 100));
        awaitRfm(holder, 2, 400);

        send(retraction(delivery, survivor));

        awaitRfm(holder, 1, 100);
        given().get("/members/" + survivor + "/rfm").then().statusCode(404);
    }

    @Test
    void aDuplicateWhoseLineWasNeverStoredChangesNothing() {
        Instant now = now();
        String member = "m-" + UUID.randomUUID();
        send(line(member, member + "-p1", now.minus(Duration.ofDays(3)), 120));
        awaitRfm(member, 1, 120);
        double retractedBefore = retractedSoFar();

        // The till's copy of a delivery order, paired on arrival: never counted. Then an order on the same partition.
        send(retraction(line(member, member + "-till", now.minus(Duration.ofDays(2)), 80), member),
                line(member, member + "-p2", now.minus(Duration.ofDays(1)), 60));

        awaitRfm(member, 2, 180);
        assertThat(retractedSoFar()).isEqualTo(retractedBefore);
    }

    @Test
    void onlyALineThatMayHaveBeenCountedLeavesItsKeyBehind() {
        Instant now = now();
        String member = "m-" + UUID.randomUUID();
        send(line(member, member + "-p1", now.minus(Duration.ofDays(3)), 120));
        awaitRfm(member, 1, 120);

        // identity-service flagged the till's copy on arrival (never counted anywhere); the other duplicate may be a
        // line it published as counted before. Then an order on the same partition.
        MemberEvent flaggedOnArrival = retraction(line(member, member + "-till", now.minus(Duration.ofDays(2)), 80), member)
                .toBuilder().setNeverCounted(true).build();
        send(flaggedOnArrival, retraction(line(member, member + "-d1", now.minus(Duration.ofDays(2)), 90), member),
                line(member, member + "-p2", now.minus(Duration.ofDays(1)), 60));

        awaitRfm(member, 2, 180);
        List<String> kept = new ArrayList<>();
        pool.preparedQuery("SELECT event_id FROM purchase_line_retracted WHERE event_id LIKE $1")
                .execute(Tuple.of(member + "-%")).await().indefinitely()
                .forEach(row -> kept.add(row.getString(0)));
        assertThat(kept).containsExactly(member + "-d1");
    }

    @Test
    void aLineConsumedOnlyAfterItsRetractionOrWithItStaysUncounted() {
        Instant now = now();
        String member = "m-" + UUID.randomUUID();
        send(line(member, member + "-p1", now.minus(Duration.ofDays(4)), 100));
        awaitRfm(member, 1, 100);
        MemberEvent late = line(member, member + "-d1", now.minus(Duration.ofDays(3)), 300);
        MemberEvent together = line(member, member + "-d2", now.minus(Duration.ofDays(2)), 200);

        // The first publication on a partition consumed behind the retraction's (a merge re-keyed the line); another
        // line with its retraction right behind it; then an order, counted once they are consumed.
        send(retraction(late, member));
        send(late, together, retraction(together, member), line(member, member + "-p2", now.minus(Duration.ofDays(1)), 50));

        awaitRfm(member, 2, 150);
    }
    /**
     * A batch is retried whole (RecordBatches) when its recomputation fails after its facts committed (a dropped
     * connection): the retry deletes nothing, yet the member who held the line its first attempt retracted must be
     * recomputed, or their row, its Redis copy and their segments count the line until a restart. MemberFacts.record
     * stands for that first attempt: it commits the batch's facts and recomputes nobody.
     */
    @Test
    void aRetriedBatchRecomputesTheMemberWhoseLineItsFirstAttemptRetracted() {
        await().atMost(WAIT).until(states::loaded); // so the live path keeps the in-memory state, which a pass ages
        Instant now = now();
        String member = "m-" + UUID.randomUUID();
        MemberEvent delivery = line(member, member + "-d1", now.minus(Duration.ofDays(3)), 300);
        service.record(List.of(delivery, line(member, member + "-p1", now.minus(Duration.ofDays(2)), 100),
                line(member, member + "-p2", now.minus(Duration.ofDays(1)), 100))).toCompletableFuture().join();
        assertThat(stored(member).rfm().ordersTotal()).isEqualTo(3);
        assertThat(stored(member).segments()).contains("potential");
        List<MemberEvent> batch = List.of(retraction(delivery, member));

        assertThat(facts.record(batch).retractedLines()).as("the first attempt deleted the line").isEqualTo(1);
        service.record(batch).toCompletableFuture().join(); // the retry

        RfmSnapshot row = stored(member);
        assertThat(row.rfm().ordersTotal()).isEqualTo(2);
        assertThat(row.rfm().monetaryNetTotal()).isEqualTo(200.0);
        assertThat(row.segments()).doesNotContain("potential");
        RfmSnapshot cached = cache.get(member).await().indefinitely().orElseThrow();
        assertThat(cached.rfm().ordersTotal()).isEqualTo(2);
        assertThat(cached.segments()).doesNotContain("potential");
        assertThat(states.all().get(member).row().snapshot().segments()).as("what segment sizes count")
                .doesNotContain("potential");
    }

    RfmSnapshot stored(String member) {
        return memberRows.rowsOf(List.of(member)).await().indefinitely().get(member).snapshot();
    }

    /**
     * A line and its retraction recorded at the same moment by two replicas (they come on different partitions after a
     * merge re-keyed the line). Here the test is the replica retracting, in a transaction held open that has also
     * written a review the line's batch holds: that batch stores the line unaware of the retraction, waits on the
     * review's row, and commits after it. Neither transaction saw the other's row.
     */
    @Test
    void aLineAndItsRetractionRecordedAtOnceByTwoReplicasEndUncounted() throws Exception {
        Instant now = now();
        String member = "m-" + UUID.randomUUID();
        send(line(member, member + "-p1", now.minus(Duration.ofDays(4)), 100));
        awaitRfm(member, 1, 100);
        MemberEvent raced = line(member, member + "-d1", now.minus(Duration.ofDays(3)), 300);
        Instant reviewedAt = now.minus(Duration.ofDays(3));
        MemberEvent review = MemberEvent.newBuilder().setMemberId(member).setEvent(ChannelEvent.newBuilder()
                .setEventId(member + "-r1").setSource(Source.SOURCE_APP).setType(EventType.EVENT_TYPE_REVIEW)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(reviewedAt.getEpochSecond())).setStoreId("s-031")
                .setReview(Review.newBuilder().setRating(5).setText("fresh"))).build();

        CompletableFuture<Void> recorded;
        SqlConnection otherReplica = pool.getConnection().await().indefinitely();
        try {
            Transaction retracting = otherReplica.begin().await().indefinitely();
            assertThat(purchaseLines.retractLines(otherReplica, List.of(new PurchaseLineRepository.LineKey("delivery", member + "-d1")))
                    .await().indefinitely()).isEmpty();
            activities.insert(otherReplica, List.of(new ActivityRepository.StoredFact("app", member + "-r1", member,
                    new MemberFact(MemberFact.Kind.REVIEW, reviewedAt, "s-031", "", 5, "fresh", "", "", ""))))
                    .await().indefinitely();
            recorded = CompletableFuture.supplyAsync(() -> service.record(List.of(raced, review)))
                    .thenCompose(published -> published).toCompletableFuture();
            await().atMost(WAIT).until(() -> pool.query(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'transactionid' AND NOT granted").execute()
                    .await().indefinitely().iterator().next().getLong(0) > 0);
            retracting.commit().await().indefinitely();
        } finally {
            otherReplica.close().await().indefinitely();
        }
        recorded.get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(purchaseLines.linesOf(List.of(member)).await().indefinitely().get(member))
                .as("the retracted line is not counted").hasSize(1);
        awaitRfm(member, 1, 100);
    }
}
