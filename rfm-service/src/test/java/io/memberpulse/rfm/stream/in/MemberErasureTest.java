package io.memberpulse.rfm.stream.in;

import static io.memberpulse.rfm.stream.in.MemberIdentityChangeConsumerTest.DAY0;
import static io.memberpulse.rfm.stream.in.MemberIdentityChangeConsumerTest.WAIT;
import static io.memberpulse.rfm.stream.in.MemberIdentityChangeConsumerTest.at;
import static io.memberpulse.rfm.stream.in.MemberIdentityChangeConsumerTest.merged;
import static io.memberpulse.rfm.stream.in.MemberIdentityChangeConsumerTest.order;
import static io.memberpulse.rfm.stream.in.MemberIdentityChangeConsumerTest.registration;
import static io.memberpulse.rfm.stream.in.MemberIdentityChangeConsumerTest.split;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.proto.churn.v1.ChurnScored;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.MemberErased;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.MemberIdentityChange;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.Review;
import io.memberpulse.proto.identity.v1.Source;
import io.memberpulse.proto.kafka.ChurnScoredDeserializer;
import io.memberpulse.proto.kafka.MemberEventDeserializer;
import io.memberpulse.proto.kafka.MemberIdentityChangeDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.proto.kafka.Topics;
import io.memberpulse.proto.segments.v1.GetMemberRfmRequest;
import io.memberpulse.proto.segments.v1.SegmentServiceGrpc;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * MemberErased on member.merges, through a real broker: every row kept under the member (and the member merged into
 * it) is deleted, Redis forgets them, and facts arriving later under either id are dropped, not recorded.
 */
@QuarkusTest
class MemberErasureTest {
    static final String DROPPED = "memberpulse.rfm.erased.facts.dropped";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "memberpulse.redis.key-prefix")
    String keyPrefix;

    @Inject
    Pool pool;

    @Inject
    RedisDataSource redis;

    @Inject
    MeterRegistry registry;

    KafkaCompanion kafka;

    @BeforeEach
    void connect() {
        kafka = new KafkaCompanion(bootstrapServers);
        kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
        kafka.registerSerde(MemberIdentityChange.class, ProtobufSerdes.of(new MemberIdentityChangeDeserializer()));
        kafka.registerSerde(ChurnScored.class, ProtobufSerdes.of(new ChurnScoredDeserializer()));
    }

    @AfterEach
    void close() {
        kafka.close();
    }

    /** Records under one key: one partition, consumed in this order. */
    void sendUnder(String key, MemberEvent... events) {
        kafka.produce(String.class, MemberEvent.class).fromRecords(Arrays.stream(events)
                .map(e -> new ProducerRecord<>(Topics.MEMBER_EVENTS, key, e)).toList()).awaitCompletion();
    }

    void send(MemberEvent... events) {
        kafka.produce(String.class, MemberEvent.class).fromRecords(Arrays.stream(events)
                .map(e -> new ProducerRecord<>(Topics.MEMBER_EVENTS, e.getMemberId(), e)).toList()).awaitCompletion();
    }

    void send(String key, MemberIdentityChange change) {
        kafka.produce(String.class, MemberIdentityChange.class)
                .fromRecords(new ProducerRecord<>(Topics.MEMBER_MERGES, key, change)).awaitCompletion();
    }

    /** Churn scores (or, probability null, withdrawals) under one key: one partition, consumed in the order sent. */
    void sendScoresUnder(String key, List<String> members, List<Double> probabilities) {
        List<ProducerRecord<String, ChurnScored>> records = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            records.add(new ProducerRecord<>(Topics.CHURN_SCORES, key, probabilities.get(i) == null ? null
                    : ChurnScored.newBuilder().setMemberId(members.get(i)).setProbability(probabilities.get(i))
                            .setAsOf(at(DAY0.plusSeconds(86_400 * 6))).build()));
        }
        kafka.produce(String.class, ChurnScored.class).fromRecords(records).awaitCompletion();
    }

    boolean scored(String member) {
        return pool.preparedQuery("SELECT 1 FROM member_churn_risk WHERE member_id = $1").execute(Tuple.of(member))
                .await().indefinitely().size() > 0;
    }

    /** gRPC GetMemberRfm's status for the member: OK or the code it failed with. */
    static Status.Code grpcRfmStatus(String member) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext()
                .intercept(AuthTestResource.as(AuthTestResource.analyst())).build();
        try {
            SegmentServiceGrpc.newBlockingStub(channel).getMemberRfm(GetMemberRfmRequest.newBuilder().setMemberId(member).build());
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        } finally {
            channel.shutdownNow();
        }
    }

    static MemberEvent orderAt(String memberId, String eventId, Instant at, double paid, String store) {
        return MemberEvent.newBuilder().setMemberId(memberId).setEvent(ChannelEvent.newBuilder()
                .setEventId(eventId).setSource(Source.SOURCE_POS).setType(EventType.EVENT_TYPE_ORDER)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond())).setStoreId(store)
                .setLine(OrderLine.newBuilder().setOrderId("o-" + eventId).setQuantity(1).setPaidAmount(paid)
                        .setCategory("dairy/yogurt/greek"))).build();
    }

    static MemberEvent review(String memberId, String eventId, Instant at, String text) {
        return MemberEvent.newBuilder().setMemberId(memberId).setEvent(ChannelEvent.newBuilder()
                .setEventId(eventId).setSource(Source.SOURCE_MINIAPP).setType(EventType.EVENT_TYPE_REVIEW)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond())).setStoreId("s-007")
                .setLine(OrderLine.newBuilder().setCategory("dairy/yogurt/greek"))
                .setReview(Review.newBuilder().setRating(2).setText(text))).build();
    }

    static MemberIdentityChange erased(String member, String... absorbed) {
        return MemberIdentityChange.newBuilder().setErased(MemberErased.newBuilder().setMemberId(member)
                .addAllAbsorbedMemberIds(Arrays.asList(absorbed)).setErasedAt(at(DAY0.plusSeconds(86_400 * 5)))
                .setErasureId("erasure-" + UUID.randomUUID())).build();
    }

    void awaitOrders(String member, int orders) {
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + member + "/rfm")
                .then().statusCode(200).body("rfm.ordersTotal", equalTo(orders)));
    }

    /** Returns once the member.events records sent under this key so far are applied: a marker order after them is. */
    void awaitEventsConsumedThrough(String key) {
        String marker = "marker-" + UUID.randomUUID();
        sendUnder(key, order(marker, marker + "-1", DAY0, 1));
        awaitOrders(marker, 1);
    }

    /** Returns once the member.merges records sent under this key so far are applied (a marker merge after them is). */
    void awaitMergesConsumedThrough(String key) {
        String into = "marker-" + UUID.randomUUID();
        String from = "marker-" + UUID.randomUUID();
        send(order(into, into + "-1", DAY0, 1), order(from, from + "-1", DAY0, 1));
        awaitOrders(into, 1);
        awaitOrders(from, 1);
        send(key, merged(into, from));
        awaitOrders(into, 2);
    }

    /** Every row of every table of the service (but erased_member) that holds any of the strings, as "table: row". */
    List<String> rowsHolding(String... strings) {
        List<String> tables = pool.query("""
                SELECT table_name FROM information_schema.tables
                WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'erased_member'""")
                .execute().await().indefinitely().stream().map(row -> row.getString(0)).toList();
        assertThat(tables).contains("purchase_line", "member_activity", "member_rfm", "member_alias",
                "segment_change_outbox", "member_rfm_removed", "redis_missed_rfm", "identity_change_applied");
        List<String> found = new ArrayList<>();
        for (String table : tables) {
            pool.preparedQuery("SELECT t::text FROM \"" + table + "\" t WHERE EXISTS "
                            + "(SELECT 1 FROM unnest($1::text[]) s WHERE strpos(t::text, s) > 0)")
                    .execute(Tuple.of(strings)).await().indefinitely()
                    .forEach(row -> found.add(table + ": " + row.getString(0)));
        }
        return found;
    }

    List<String> redisKeysHolding(String... ids) {
        List<String> keys = new ArrayList<>();
        for (String id : ids) {
            keys.addAll(redis.key().keys(keyPrefix + "*" + id + "*"));
        }
        return keys;
    }

    double dropped() {
        return dropped(Topics.MEMBER_EVENTS);
    }

    double dropped(String topic) {
        var counter = registry.find(DROPPED).tag("topic", topic).counter();
        return counter == null ? 0 : counter.count();
    }

    double erasures(String outcome) {
        var counter = registry.find("memberpulse.rfm.identity.changes").tag("kind", "erasure").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void anErasureDeletesEveryRowAndRedisKeyOfTheMemberAndLateFactsAboutThemAreDropped() {
        String member = "m-" + UUID.randomUUID();
        String absorbed = "m-" + UUID.randomUUID();
        String store = "s-erase-" + UUID.randomUUID();
        String reviewText = "酸奶太甜了 " + UUID.randomUUID();
        send(orderAt(member, member + "-1", DAY0, 300, store), orderAt(member, member + "-2", DAY0.plusSeconds(3600), 250, store),
                registration(member, member + "-r", DAY0, "F"), review(member, member + "-v", DAY0.plusSeconds(7200), reviewText),
                orderAt(absorbed, absorbed + "-1", DAY0.plusSeconds(1800), 200, store));
        awaitOrders(member, 2);
        awaitOrders(absorbed, 1);
        send(absorbed, merged(member, absorbed)); // the absorbed id stays behind as an alias of the member
        awaitOrders(member, 3);
        List<String> segments = given().get("/members/" + member + "/rfm").then().extract().path("segments");
        assertThat(segments).isNotEmpty();
        given().get("/segments/" + segments.get(0) + "/members?store=" + store).then().statusCode(200)
                .body("memberId", equalTo(List.of(member)));
        await().atMost(WAIT).until(() -> !redisKeysHolding(member).isEmpty());
        sendScoresUnder(member, List.of(member), java.util.Collections.singletonList(0.8));
        await().atMost(WAIT).until(() -> scored(member));
        assertThat(grpcRfmStatus(member)).isEqualTo(Status.Code.OK);
        assertThat(rowsHolding(member)).isNotEmpty();
        assertThat(rowsHolding(reviewText)).isNotEmpty();
        double erasuresApplied = erasures("applied");

        send(member, erased(member, absorbed));
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + member + "/rfm").then().statusCode(404));
        await().atMost(WAIT).untilAsserted(() -> assertThat(redisKeysHolding(member, absorbed)).isEmpty());
        // Awaited: the erasure records the members as missed by Redis (redis_missed_rfm) until the next repair.
        await().atMost(WAIT).untilAsserted(() -> assertThat(rowsHolding(member, absorbed, reviewText)).isEmpty());
        given().get("/members/" + member + "/profile").then().statusCode(404);
        assertThat(grpcRfmStatus(member)).isEqualTo(Status.Code.NOT_FOUND);
        given().get("/members/" + absorbed + "/rfm").then().statusCode(404);
        for (String segment : segments) {
            given().get("/segments/" + segment + "/members?store=" + store).then().statusCode(200).body("size()", equalTo(0));
        }
        assertThat(erasures("applied")).isEqualTo(erasuresApplied + 1);

        // Facts under the erased id and under the id merged into it, consumed after the erasure, are dropped.
        double droppedBefore = dropped();
        sendUnder(member, orderAt(member, member + "-late", DAY0.plusSeconds(86_400 * 6), 99, store),
                review(member, member + "-late-v", DAY0.plusSeconds(86_400 * 6), reviewText));
        sendUnder(absorbed, orderAt(absorbed, absorbed + "-late", DAY0.plusSeconds(86_400 * 6), 77, store));
        awaitEventsConsumedThrough(member);
        awaitEventsConsumedThrough(absorbed);
        given().get("/members/" + member + "/rfm").then().statusCode(404);
        given().get("/members/" + absorbed + "/rfm").then().statusCode(404);
        assertThat(rowsHolding(member, absorbed, reviewText)).isEmpty();
        assertThat(dropped()).as("the late facts are counted as dropped").isGreaterThanOrEqualTo(droppedBefore + 3);

        // So are churn scores of either id consumed after the erasure: consumed once a later score for another member is.
        double scoresDroppedBefore = dropped(Topics.CHURN_SCORES);
        String scoredMarker = "marker-" + UUID.randomUUID();
        sendScoresUnder(member, List.of(member, absorbed, scoredMarker), List.of(0.9, 0.7, 0.1));
        await().atMost(WAIT).until(() -> scored(scoredMarker));
        assertThat(scored(member)).isFalse();
        assertThat(scored(absorbed)).isFalse();
        assertThat(dropped(Topics.CHURN_SCORES)).isGreaterThanOrEqualTo(scoresDroppedBefore + 2);

        // A redelivered erasure, and a replayed merge into the erased member, change nothing.
        String other = "m-" + UUID.randomUUID();
        send(orderAt(other, other + "-1", DAY0, 40, store));
        awaitOrders(other, 1);
        double alreadyApplied = erasures("already-applied");
        send(member, erased(member, absorbed));
        send(member, merged(member, other));
        awaitMergesConsumedThrough(member);
        assertThat(erasures("already-applied")).isEqualTo(alreadyApplied + 1);
        given().get("/members/" + other + "/rfm").then().statusCode(200).body("rfm.ordersTotal", equalTo(1));
        given().get("/members/" + member + "/rfm").then().statusCode(404);
        assertThat(rowsHolding(member, absorbed, reviewText)).isEmpty();
        assertThat(redisKeysHolding(member, absorbed)).isEmpty();
    }

    @Test
    void anEventASplitGaveAwayThatArrivesUnderTheErasedOriginalMemberIsRecordedUnderItsPart() {
        // A split gives the original member's event -2, not consumed yet, to the part; then the original member is
        // erased. -2 arrives later under the original id (member.events is another topic): it is the part's purchase
        // (identity keeps it under the part), so it is recorded there, neither dropped nor counted as an erased fact.
        String original = "m-" + UUID.randomUUID();
        String part = "m-" + UUID.randomUUID();
        String store = "s-erase-" + UUID.randomUUID();
        send(orderAt(original, original + "-1", DAY0, 40, store), orderAt(part, part + "-1", DAY0, 10, store));
        awaitOrders(original, 1);
        awaitOrders(part, 1);
        send(original, split(original, part, "pos:" + original + "-2"));
        awaitMergesConsumedThrough(original);
        send(original, erased(original));
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + original + "/rfm").then().statusCode(404));

        double droppedBefore = dropped();
        sendUnder(original, orderAt(original, original + "-2", DAY0.plusSeconds(3600), 60, store));
        awaitEventsConsumedThrough(original);
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + part + "/rfm").then().statusCode(200)
                .body("rfm.ordersTotal", equalTo(2)));
        assertThat(dropped()).isEqualTo(droppedBefore);
    }
}
