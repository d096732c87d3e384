package io.memberpulse.rfm.stream.in;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.google.protobuf.Timestamp;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.MemberIdentityChange;
import io.memberpulse.proto.identity.v1.MemberMerged;
import io.memberpulse.proto.identity.v1.MemberSplit;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.Profile;
import io.memberpulse.proto.identity.v1.Source;
import io.memberpulse.proto.identity.v1.SplitPart;
import io.memberpulse.proto.kafka.MemberEventDeserializer;
import io.memberpulse.proto.kafka.MemberIdentityChangeDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.proto.kafka.SegmentChangedDeserializer;
import io.memberpulse.proto.kafka.Topics;
import io.memberpulse.proto.merges.IdentityChanges;
import io.memberpulse.proto.segments.v1.SegmentChanged;
import io.memberpulse.rfm.store.IdentityChangeRepository;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** MemberMerged / MemberSplit on member.merges, through a real broker, re-key the state and publish the changes. */
@QuarkusTest
class MemberIdentityChangeConsumerTest {
    static final Instant DAY0 = Instant.parse("2024-05-01T10:00:00Z");
    static final Duration WAIT = Duration.ofSeconds(20);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    KafkaCompanion kafka;

    @Inject
    IdentityChangeRepository identities;

    @Inject
    Pool pool;

    @BeforeEach
    void connect() {
        kafka = new KafkaCompanion(bootstrapServers);
        kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
        kafka.registerSerde(MemberIdentityChange.class, ProtobufSerdes.of(new MemberIdentityChangeDeserializer()));
        kafka.registerSerde(SegmentChanged.class, ProtobufSerdes.of(new SegmentChangedDeserializer()));
    }

    @AfterEach
    void close() {
        kafka.close();
    }

    static MemberEvent order(String memberId, String eventId, Instant at, double paid) {
        return MemberEvent.newBuilder().setMemberId(memberId).setEvent(ChannelEvent.newBuilder()
                .setEventId(eventId).setSource(Source.SOURCE_POS).setType(EventType.EVENT_TYPE_ORDER)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond())).setStoreId("s-007")
                .setLine(OrderLine.newBuilder().setOrderId("o-" + eventId).setQuantity(1).setPaidAmount(paid)
                        .setCategory("dairy/yogurt/greek"))).build();
    }

    static MemberEvent registration(String memberId, String eventId, Instant at, String gender) {
        return MemberEvent.newBuilder().setMemberId(memberId).setEvent(ChannelEvent.newBuilder()
                .setEventId(eventId).setSource(Source.SOURCE_MINIAPP).setType(EventType.EVENT_TYPE_REGISTER)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond()))
                .setProfile(Profile.newBuilder().setGender(gender).setBirthDate("1990-03-04").setCity("杭州"))).build();
    }

    void send(MemberEvent... events) {
        kafka.produce(String.class, MemberEvent.class).fromRecords(Arrays.stream(events)
                .map(e -> new ProducerRecord<>(Topics.MEMBER_EVENTS, e.getMemberId(), e)).toList()).awaitCompletion();
    }

    void send(String key, MemberIdentityChange change) {
        kafka.produce(String.class, MemberIdentityChange.class)
                .fromRecords(new ProducerRecord<>(Topics.MEMBER_MERGES, key, change)).awaitCompletion();
    }

    static Timestamp at(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).build();
    }

    static MemberIdentityChange merged(String survivor, String absorbed) {
        return MemberIdentityChange.newBuilder().setMerged(MemberMerged.newBuilder().setSurvivingMemberId(survivor)
                .setAbsorbedMemberId(absorbed).setRule("member_no").setScore(1).setMergedAt(at(DAY0.plusSeconds(86_400 * 3)))).build();
    }

    void awaitOrders(String member, int orders) {
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + member + "/rfm")
                .then().statusCode(200).body("rfm.ordersTotal", equalTo(orders)));
    }

    /**
     * Returns once the member.merges records sent so far under this key are applied: a marker merge of two fresh
     * members, under the same key (so on the same partition, consumed after them), has been applied.
     */
    void awaitMergesConsumedThrough(String key) {
        String into = "marker-" + UUID.randomUUID();
        String from = "marker-" + UUID.randomUUID();
        send(order(into, into + "-1", DAY0, 1), order(from, from + "-1", DAY0, 1));
        awaitOrders(into, 1);
        awaitOrders(from, 1);
        send(key, merged(into, from));
        awaitOrders(into, 2);
    }

    static boolean published(ConsumerTask<String, SegmentChanged> changes, String member, String segment,
            SegmentChanged.Change change) {
        return changes.getRecords().stream().anyMatch(r -> r.key().equals(member)
                && r.value().getSegmentId().equals(segment) && r.value().getChange() == change);
    }

    @Test
    void aMergeMovesTheAbsorbedMembersFactsToTheSurvivorOnceAndLateEventsFollow() {
        String survivor = "m-" + UUID.randomUUID();
        String absorbed = "m-" + UUID.randomUUID();
        send(order(survivor, survivor + "-1", DAY0, 100), order(absorbed, absorbed + "-1", DAY0.plusSeconds(3600), 50),
                order(absorbed, absorbed + "-2", DAY0.plusSeconds(7200), 25), registration(absorbed, absorbed + "-r", DAY0, "F"));
        awaitOrders(survivor, 1);
        awaitOrders(absorbed, 2);
        List<String> absorbedSegments = given().get("/members/" + absorbed + "/rfm").then().extract().path("segments");
        assertThat(absorbedSegments).isNotEmpty();
        var changes = kafka.consume(String.class, SegmentChanged.class).fromTopics(Topics.MEMBER_SEGMENTS);

        send(absorbed, merged(survivor, absorbed));
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + survivor + "/rfm").then().statusCode(200)
                .body("rfm.ordersTotal", equalTo(3)).body("rfm.monetaryNetTotal", equalTo(175.0f)));
        given().get("/members/" + absorbed + "/rfm").then().statusCode(404);
        // The absorbed member's profile facts moved too.
        given().get("/members/" + survivor + "/profile").then().statusCode(200)
                .body("tags.find { it.name == 'gender' }.value", equalTo("female"));
        await().atMost(WAIT).until(() -> absorbedSegments.stream()
                .allMatch(segment -> published(changes, absorbed, segment, SegmentChanged.Change.CHANGE_LEFT)));

        // Re-delivery changes nothing; an event still arriving under the absorbed id counts for the survivor.
        send(absorbed, merged(survivor, absorbed));
        awaitMergesConsumedThrough(absorbed);
        send(order(absorbed, absorbed + "-late", DAY0.plusSeconds(10_800), 5));
        awaitOrders(survivor, 4);
        given().get("/members/" + absorbed + "/rfm").then().statusCode(404);
        given().get("/members/" + survivor + "/rfm").then().body("rfm.monetaryNetTotal", equalTo(180.0f));
        changes.stop();
        // Counted per segment: the shared event-time clock may re-age the absorbed member out of a segment (and into
        // another) before the merge, so the number of exits can exceed the segments read above; none is left twice.
        Map<String, Long> absorbedLeft = changes.getRecords().stream().filter(r -> r.key().equals(absorbed)
                && r.value().getChange() == SegmentChanged.Change.CHANGE_LEFT)
                .collect(Collectors.groupingBy(r -> r.value().getSegmentId(), Collectors.counting()));
        assertThat(absorbedLeft).as("each segment left once, not again on re-delivery")
                .containsKeys(absorbedSegments.toArray(String[]::new)).allSatisfy((segment, times) -> assertThat(times).isOne());
    }

    @Test
    void aSplitMovesEachPartsEventsByKeyAndRecomputesBoth() {
        String original = "m-" + UUID.randomUUID();
        String split = "m-" + UUID.randomUUID();
        send(order(original, original + "-1", DAY0, 40), order(original, original + "-2", DAY0.plusSeconds(3600), 60),
                order(original, original + "-3", DAY0.plusSeconds(7200), 80));
        awaitOrders(original, 3);
        var changes = kafka.consume(String.class, SegmentChanged.class).fromTopics(Topics.MEMBER_SEGMENTS);

        MemberIdentityChange change = MemberIdentityChange.newBuilder().setSplit(MemberSplit.newBuilder()
                .setOriginalMemberId(original).setReason("two people behind one phone").setSplitAt(at(DAY0.plusSeconds(86_400)))
                .addParts(SplitPart.newBuilder().setMemberId(original).addEventKeys("pos:" + original + "-1"))
                .addParts(SplitPart.newBuilder().setMemberId(split)
                        .addEventKeys("pos:" + original + "-2").addEventKeys("pos:" + original + "-3"))).build();
        send(original, change);
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + split + "/rfm").then().statusCode(200)
                .body("rfm.ordersTotal", equalTo(2)).body("rfm.monetaryNetTotal", equalTo(140.0f)));
        given().get("/members/" + original + "/rfm").then().body("rfm.ordersTotal", equalTo(1))
                .body("rfm.monetaryNetTotal", equalTo(40.0f));
        List<String> splitSegments = given().get("/members/" + split + "/rfm").then().extract().path("segments");
        await().atMost(WAIT).until(() -> splitSegments.stream()
                .allMatch(segment -> published(changes, split, segment, SegmentChanged.Change.CHANGE_ENTERED)));

        send(original, change); // re-delivery
        awaitMergesConsumedThrough(original);
        send(order(original, original + "-4", DAY0.plusSeconds(10_800), 10));
        awaitOrders(original, 2);
        given().get("/members/" + split + "/rfm").then().body("rfm.ordersTotal", equalTo(2));
        changes.stop();
    }

    static MemberIdentityChange split(String original, String part, String... eventKeys) {
        return MemberIdentityChange.newBuilder().setSplit(MemberSplit.newBuilder().setOriginalMemberId(original)
                .setReason("two people behind one phone").setSplitAt(at(DAY0.plusSeconds(86_400)))
                .addParts(SplitPart.newBuilder().setMemberId(part).addAllEventKeys(Arrays.asList(eventKeys)))).build();
    }

    @Test
    void eventsASplitMovesThatArriveOnlyAfterItLandOnThePartOrWhereThePartWasMergedSince() {
        // member.events and member.merges are separate topics: a split may be applied before some of the events
        // it moves are consumed, and those still carry the original member.
        String original = "m-" + UUID.randomUUID();
        String part = "m-" + UUID.randomUUID();
        send(order(original, original + "-1", DAY0, 40), order(original, original + "-2", DAY0.plusSeconds(3600), 60));
        awaitOrders(original, 2);
        send(original, split(original, part, "pos:" + original + "-2", "pos:" + original + "-3",
                "SOURCE_MINIAPP:" + original + "-r", "pos:" + original + "-4"));
        awaitOrders(part, 1); // the split is applied: -2 moved

        send(order(original, original + "-3", DAY0.plusSeconds(7200), 80), registration(original, original + "-r", DAY0, "F"));
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + part + "/rfm").then().statusCode(200)
                .body("rfm.ordersTotal", equalTo(2)).body("rfm.monetaryNetTotal", equalTo(140.0f)));
        // Awaited: the registration is another record than the order awaited above, and may be in a later batch.
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + part + "/profile").then().statusCode(200)
                .body("tags.find { it.name == 'gender' }.value", equalTo("female")));
        given().get("/members/" + original + "/rfm").then().body("rfm.ordersTotal", equalTo(1))
                .body("rfm.monetaryNetTotal", equalTo(40.0f));

        // The part was merged into another member since: a moved event arriving now counts for that survivor.
        String survivor = "m-" + UUID.randomUUID();
        send(order(survivor, survivor + "-1", DAY0, 5));
        awaitOrders(survivor, 1);
        send(part, merged(survivor, part));
        awaitOrders(survivor, 3);
        send(order(original, original + "-4", DAY0.plusSeconds(10_800), 100));
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + survivor + "/rfm").then().statusCode(200)
                .body("rfm.ordersTotal", equalTo(4)).body("rfm.monetaryNetTotal", equalTo(245.0f)));
        given().get("/members/" + original + "/rfm").then().body("rfm.ordersTotal", equalTo(1));
        given().get("/members/" + part + "/rfm").then().statusCode(404);
    }

    @Test
    void aBatchConsumedWhileAnotherReplicaAppliesASplitWaitsForItAndLandsOnThePart() {
        // Another replica (here this test) applies a split in a transaction held open while the events it moves are
        // consumed: their look-up must not read the state from before the split and insert them after it committed.
        String original = "m-" + UUID.randomUUID();
        String part = "m-" + UUID.randomUUID();
        send(order(original, original + "-1", DAY0, 40), order(original, original + "-2", DAY0.plusSeconds(3600), 60));
        awaitOrders(original, 2);
        MemberIdentityChange split = split(original, part, "pos:" + original + "-2", "pos:" + original + "-3",
                "pos:" + original + "-4");
        List<String> late = List.of(original + "-3", original + "-4");

        SqlConnection otherReplica = pool.getConnection().await().indefinitely();
        try {
            Transaction applying = otherReplica.begin().await().indefinitely();
            assertThat(identities.apply(otherReplica, IdentityChanges.toDomain(split)).await().indefinitely()).isTrue();
            send(order(original, original + "-3", DAY0.plusSeconds(7200), 80),
                    order(original, original + "-4", DAY0.plusSeconds(10_800), 100));
            // The batch is consumed: it waits for the split to commit, or (without the lock) is recorded at once.
            await().atMost(WAIT).until(() -> aRecordingWaitsForTheIdentityLock() || !holdersOf(late).isEmpty());
            assertThat(holdersOf(late)).as("nothing recorded while a split is being applied").isEmpty();
            applying.commit().await().indefinitely();
        } finally {
            otherReplica.close().await().indefinitely();
        }

        await().atMost(WAIT).untilAsserted(() -> assertThat(holdersOf(late)).containsExactly(part));
        send(original, split); // as this replica's consumer gets it: applied already, its members recomputed
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + part + "/rfm").then().statusCode(200)
                .body("rfm.ordersTotal", equalTo(3)).body("rfm.monetaryNetTotal", equalTo(240.0f)));
        // Awaited too: recording the late orders recomputes the part before this replica consumes the split, and only
        // consuming it recomputes the original (the other replica here applied the split without recomputing).
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + original + "/rfm").then()
                .body("rfm.ordersTotal", equalTo(1)).body("rfm.monetaryNetTotal", equalTo(40.0f)));
    }

    /** Whether a transaction recording member.events waits for the identity lock (held shared by recordings). */
    boolean aRecordingWaitsForTheIdentityLock() {
        return pool.preparedQuery("""
                SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND mode = 'ShareLock' AND NOT granted
                AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                AND classid = ($1::bigint >> 32)::oid AND objid = ($1::bigint & 4294967295)::oid AND objsubid = 1""")
                .execute(Tuple.of(IdentityChangeRepository.IDENTITY_LOCK)).await().indefinitely()
                .iterator().next().getLong(0) > 0;
    }

    /** The members holding the given orders (event ids) in PostgreSQL. */
    List<String> holdersOf(List<String> eventIds) {
        return pool.preparedQuery("SELECT DISTINCT member_id FROM purchase_line WHERE event_id = ANY($1)")
                .execute(Tuple.of(eventIds.toArray(String[]::new))).await().indefinitely()
                .stream().map(row -> row.getString(0)).toList();
    }

    /** Members A, B and C of a chain of merges (A into B, B into C). */
    record Chain(String a, String b, String c) {
    }

    /** Three members with one order each: a1, b1, c1. */
    Chain chainOfThreeMembers() {
        Chain chain = new Chain("m-" + UUID.randomUUID(), "m-" + UUID.randomUUID(), "m-" + UUID.randomUUID());
        send(order(chain.a(), chain.a() + "-1", DAY0, 10),
                order(chain.b(), chain.b() + "-1", DAY0.plusSeconds(3600), 20), order(chain.c(), chain.c() + "-1", DAY0.plusSeconds(7200), 40));
        awaitOrders(chain.a(), 1);
        awaitOrders(chain.b(), 1);
        awaitOrders(chain.c(), 1);
        return chain;
    }

    /** The end state of A into B and B into C, whichever came first: C holds a1, b1, c1, and A and B stand for C. */
    void assertMergedIntoC(Chain chain) {
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + chain.c() + "/rfm").then().statusCode(200)
                .body("rfm.ordersTotal", equalTo(3)).body("rfm.monetaryNetTotal", equalTo(70.0f)));
        given().get("/members/" + chain.a() + "/rfm").then().statusCode(404);
        given().get("/members/" + chain.b() + "/rfm").then().statusCode(404);
        assertThat(identities.survivorsOf(List.of(chain.a(), chain.b(), chain.c())).await().indefinitely())
                .isEqualTo(Map.of(chain.a(), chain.c(), chain.b(), chain.c()));
        // Late events under either absorbed id count for C.
        send(order(chain.a(), chain.a() + "-late", DAY0.plusSeconds(10_800), 1), order(chain.b(), chain.b() + "-late", DAY0.plusSeconds(10_800), 2));
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + chain.c() + "/rfm").then().statusCode(200)
                .body("rfm.ordersTotal", equalTo(5)).body("rfm.monetaryNetTotal", equalTo(73.0f)));
        given().get("/members/" + chain.b() + "/rfm").then().statusCode(404);
    }

    @Test
    void chainedMergesInOrderEndWithTheLastSurvivor() {
        Chain chain = chainOfThreeMembers();
        send(chain.a(), merged(chain.b(), chain.a()));
        awaitOrders(chain.b(), 2);
        send(chain.b(), merged(chain.c(), chain.b()));
        assertMergedIntoC(chain);
    }

    @Test
    void chainedMergesOutOfOrderEndTheSameAsInOrder() {
        // member.merges is keyed by the absorbed member: B into C may be applied before A into B.
        Chain chain = chainOfThreeMembers();
        send(chain.b(), merged(chain.c(), chain.b()));
        awaitOrders(chain.c(), 2);
        send(chain.a(), merged(chain.b(), chain.a()));
        assertMergedIntoC(chain);
    }

    @Test
    void unreadableAndUnusableChangesGoToTheDeadLetterTopicAndTheNextOneIsApplied() {
        String survivor = "m-" + UUID.randomUUID();
        String absorbed = "m-" + UUID.randomUUID();
        var deadLetters = kafka.consume(String.class, byte[].class).fromTopics(Topics.deadLetter(Topics.MEMBER_MERGES));
        send(order(survivor, survivor + "-1", DAY0, 10), order(absorbed, absorbed + "-1", DAY0, 20));
        awaitOrders(absorbed, 1);

        kafka.produce(String.class, byte[].class).fromRecords(
                new ProducerRecord<>(Topics.MEMBER_MERGES, "poison-" + survivor, new byte[] {(byte) 0xff, 0x01})).awaitCompletion();
        send("self-" + survivor, merged(survivor, survivor));
        send("blank-" + survivor, MemberIdentityChange.newBuilder().setSplit(MemberSplit.newBuilder()
                .setOriginalMemberId(survivor).addParts(SplitPart.newBuilder().setMemberId("x").addEventKeys("no-colon"))).build());
        // No merged_at: when it happened decides where a chain ends in churn- and campaign-service, so no service applies it.
        send("timeless-" + survivor, MemberIdentityChange.newBuilder().setMerged(merged("y-" + survivor, "z-" + survivor)
                .getMerged().toBuilder().clearMergedAt()).build());
        send(absorbed, merged(survivor, absorbed));

        awaitOrders(survivor, 2);
        await().atMost(WAIT).untilAsserted(() -> assertThat(deadLetters.getRecords()).extracting(r -> r.key())
                .contains("poison-" + survivor, "self-" + survivor, "blank-" + survivor, "timeless-" + survivor));
        deadLetters.stop();
        given().get("/members/" + absorbed + "/rfm").then().statusCode(404);
    }
}
