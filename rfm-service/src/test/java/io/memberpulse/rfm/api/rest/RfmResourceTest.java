package io.memberpulse.rfm.api.rest;

import static io.memberpulse.rfm.testdata.WallClock.tick;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.OrderRef;
import io.memberpulse.proto.identity.v1.Source;
import io.memberpulse.proto.kafka.MemberEventDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.proto.kafka.SegmentChangedDeserializer;
import io.memberpulse.proto.kafka.Topics;
import io.memberpulse.proto.segments.v1.GetMemberRfmRequest;
import io.memberpulse.proto.segments.v1.ListSegmentsRequest;
import io.memberpulse.proto.segments.v1.MemberRfm;
import io.memberpulse.proto.segments.v1.Segment;
import io.memberpulse.proto.segments.v1.SegmentChanged;
import io.memberpulse.proto.segments.v1.SegmentServiceGrpc;
import io.memberpulse.proto.segments.v1.StreamSegmentMembersRequest;
import io.memberpulse.rfm.SegmentDefinitions;
import io.memberpulse.rfm.domain.ConfigurationHistory;
import io.memberpulse.rfm.store.MemberRowRepository;
import io.memberpulse.rfm.store.PurchaseLineRepository;
import io.memberpulse.rfm.store.StreamClockRepository;
import io.memberpulse.rfm.store.RuleSegmentRepository;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class RfmResourceTest {
    static final Instant DAY0 = Instant.parse("2024-05-01T10:00:00Z");

    @Inject
    MemberRowRepository memberRows;

    @Inject
    PurchaseLineRepository purchaseLines;

    @Inject
    StreamClockRepository streamClock;

    @Inject
    RuleSegmentRepository ruleStore;

    @Inject
    SegmentDefinitions segmentDefinitions;

    @Inject
    io.vertx.mutiny.sqlclient.Pool pool;

    @Inject
    io.memberpulse.rfm.RecomputeRfmService recompute;

    @Inject
    io.memberpulse.rfm.MemberFacts facts;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "memberpulse.redis.key-prefix")
    String keyPrefix;

    @jakarta.inject.Inject
    io.quarkus.redis.datasource.RedisDataSource redis;

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

    static MemberEvent order(String memberId, String orderId, Instant at, double paid) {
        return MemberEvent.newBuilder().setMemberId(memberId).setEvent(ChannelEvent.newBuilder()
                .setEventId(orderId + "-1").setSource(Source.SOURCE_POS).setType(EventType.EVENT_TYPE_ORDER)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond())).setStoreId("s-042")
                .setLine(OrderLine.newBuilder().setOrderId(orderId).setQuantity(1).setPaidAmount(paid))).build();
    }

    void send(MemberEvent... events) {
        var records = java.util.Arrays.stream(events)
                .map(e -> new ProducerRecord<>(Topics.MEMBER_EVENTS, e.getMemberId(), e)).toList();
        kafka.produce(String.class, MemberEvent.class).fromRecords(records).awaitCompletion();
    }

    @Test
    void ordersOnMemberEventsUpdateRfmAndSegmentsLive() {
        String member = "m-" + UUID.randomUUID();
        var segmentChanges = kafka.consume(String.class, SegmentChanged.class).fromTopics(Topics.MEMBER_SEGMENTS);
        // Six orders in six days worth ¥900: high-value active (and so not potential: the bands are tiers).
        MemberEvent[] orders = new MemberEvent[6];
        for (int i = 0; i < 6; i++) {
            orders[i] = order(member, member + "-o" + i, DAY0.plus(Duration.ofDays(i)), 150);
        }
        send(orders);
        // Re-delivery of the same events changes nothing.
        send(orders[0], orders[1]);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/members/" + member + "/rfm")
                .then().statusCode(200)
                .body("rfm.frequency30d", equalTo(6))
                .body("rfm.monetaryNet30d", equalTo(900.0f))
                .body("rfm.homeStoreId", equalTo("s-042"))
                .body("segments", hasItem("high-value-active")));

        await().atMost(Duration.ofSeconds(20)).until(() -> segmentChanges.getRecords().stream()
                .anyMatch(r -> r.key().equals(member) && r.value().getSegmentId().equals("high-value-active")
                        && r.value().getChange() == SegmentChanged.Change.CHANGE_ENTERED));
        segmentChanges.stop();

        // As of the third day only three orders had happened.
        given().queryParam("asOf", DAY0.plus(Duration.ofDays(2)).plusSeconds(60).toString())
                .get("/members/" + member + "/rfm")
                .then().statusCode(200).body("rfm.frequency30d", equalTo(3))
                .body("rfm.monetaryNet30d", equalTo(450.0f));
        // A date is the start of that day on the chain's calendar (Asia/Shanghai), as churn-service reads asOf:
        // 3 May 00:00 there is 2 May 16:00 UTC, six hours after the second order (fourteen in UTC).
        given().queryParam("asOf", "2024-05-03").get("/members/" + member + "/rfm")
                .then().statusCode(200).body("rfm.asOf", equalTo("2024-05-02T16:00:00Z"))
                .body("rfm.frequency30d", equalTo(2)).body("rfm.recencyDays", equalTo(0.25f));
        for (String notAnInstant : List.of("2024-05-03T00:00:00", "3 May 2024", "2024-05-32")) {
            given().queryParam("asOf", notAnInstant).get("/members/" + member + "/rfm").then().statusCode(400)
                    .body("errors[0].field", equalTo("asOf"))
                    .body("errors[0].reason", org.hamcrest.Matchers.startsWith("must be a date (2011-09-10"));
        }
        // Years before 1900 too, as over gRPC (google.protobuf.Timestamp's 0001..9999): nothing bought yet, not a 400.
        given().queryParam("asOf", "1850-01-01").get("/members/" + member + "/rfm")
                .then().statusCode(200).body("rfm.frequency30d", equalTo(0));
        given().queryParam("asOf", "0001-01-01T00:00:00Z").get("/members/" + member + "/rfm").then().statusCode(200);
        given().queryParam("asOf", "0000-12-31T23:59:59Z").get("/members/" + member + "/rfm").then().statusCode(400)
                .body("errors[0].field", equalTo("asOf"))
                .body("errors[0].reason", org.hamcrest.Matchers.endsWith(" is outside 0001-01-01T00:00:00Z..9999-12-31T23:59:59Z"));
    }

    @Test
    void grpcAnswersTheSameRfmAndRefusesABlankMember() {
        String member = "m-" + UUID.randomUUID();
        send(order(member, member + "-o1", DAY0, 42.5));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/members/" + member + "/rfm")
                .then().statusCode(200));
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext()
                .intercept(AuthTestResource.as(AuthTestResource.analyst())).build();
        try {
            var stub = SegmentServiceGrpc.newBlockingStub(channel);
            MemberRfm rfm = stub.getMemberRfm(GetMemberRfmRequest.newBuilder().setMemberId(member).build());
            assertThat(rfm.getOrdersTotal()).isEqualTo(1);
            assertThat(rfm.getMonetaryNetTotal()).isEqualTo(42.5);
            assertThatThrownBy(() -> stub.getMemberRfm(GetMemberRfmRequest.newBuilder().build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(e.getStatus().getDescription()).contains("member_id");
                    });
        } finally {
            channel.shutdownNow();
        }
    }

    /** Every refusal names its field ("field: reason"); unknown ids are NOT_FOUND; no caller mistake is INTERNAL. */
    @Test
    void grpcRefusesBadInputNamingTheFieldAndAnswersNotFoundForUnknownIds() {
        String member = "m-" + UUID.randomUUID();
        send(order(member, member + "-o1", DAY0, 42.5));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/members/" + member + "/rfm")
                .then().statusCode(200));
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext()
                .intercept(AuthTestResource.as(AuthTestResource.analyst())).build();
        try {
            var stub = SegmentServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
            String nobody = "nobody-" + UUID.randomUUID();
            String withNul = "m-\u0000x";
            String longest = "m".repeat(128);
            String tooLong = "m".repeat(129);
            // Longer than an HTTP/2 header may be: echoed into a description it used to reset the stream.
            String huge = "m".repeat(100_000);
            String[] badIds = {"", "   ", tooLong, huge, withNul, "m-\nx"};
            Timestamp known = Timestamp.newBuilder().setSeconds(DAY0.plus(Duration.ofDays(1)).getEpochSecond()).build();

            // GetMemberRfm: member_id, as_of.
            for (String id : badIds) {
                refused(() -> stub.getMemberRfm(rfmRequest(id).build()), Status.Code.INVALID_ARGUMENT, "member_id: ");
                refused(() -> stub.getMemberRfm(rfmRequest(id).setAsOf(known).build()), Status.Code.INVALID_ARGUMENT,
                        "member_id: ");
            }
            refused(() -> stub.getMemberRfm(rfmRequest("").build()), Status.Code.INVALID_ARGUMENT, "member_id: is required");
            refused(() -> stub.getMemberRfm(rfmRequest(tooLong).build()), Status.Code.INVALID_ARGUMENT,
                    "member_id: is 129 characters long, at most 128 are accepted");
            refused(() -> stub.getMemberRfm(rfmRequest(withNul).build()), Status.Code.INVALID_ARGUMENT,
                    "member_id: must not contain control characters");
            refused(() -> stub.getMemberRfm(rfmRequest(nobody).build()), Status.Code.NOT_FOUND,
                    "no purchase or registration known for member " + nobody);
            refused(() -> stub.getMemberRfm(rfmRequest(nobody).setAsOf(known).build()), Status.Code.NOT_FOUND,
                    "no purchase or registration known for member " + nobody);
            refused(() -> stub.getMemberRfm(rfmRequest(longest).build()), Status.Code.NOT_FOUND,
                    "no purchase or registration known for member " + longest);
            for (Timestamp asOf : new Timestamp[] {Timestamp.newBuilder().setSeconds(Long.MAX_VALUE).build(),
                    Timestamp.newBuilder().setSeconds(253_402_300_800L).build(), // 10000-01-01
                    Timestamp.newBuilder().setSeconds(-62_135_596_801L).build(), // before 0001-01-01
                    known.toBuilder().setNanos(-1).build(), known.toBuilder().setNanos(1_000_000_000).build()}) {
                refused(() -> stub.getMemberRfm(rfmRequest(member).setAsOf(asOf).build()), Status.Code.INVALID_ARGUMENT,
                        "as_of: ");
            }
            refused(() -> stub.getMemberRfm(rfmRequest(member).setAsOf(known.toBuilder().setNanos(-1)).build()),
                    Status.Code.INVALID_ARGUMENT, "as_of: nanos -1 is outside 0..999999999");
            // The edges of the Timestamp range are answered.
            MemberRfm atTheEnd = stub.getMemberRfm(rfmRequest(member)
                    .setAsOf(Timestamp.newBuilder().setSeconds(253_402_300_799L).setNanos(999_999_999)).build());
            assertThat(atTheEnd.getOrdersTotal()).isEqualTo(1);
            assertThat(atTheEnd.getAsOf().getSeconds()).isEqualTo(253_402_300_799L);
            MemberRfm atTheStart = stub.getMemberRfm(rfmRequest(member)
                    .setAsOf(Timestamp.newBuilder().setSeconds(-62_135_596_800L)).build());
            assertThat(atTheStart.getOrdersTotal()).as("nothing bought yet in year 1").isZero();

            // GetMemberProfile: member_id; as_of is refused, not ignored (the profile is only known as of now).
            for (String id : badIds) {
                refused(() -> stub.getMemberProfile(rfmRequest(id).build()), Status.Code.INVALID_ARGUMENT, "member_id: ");
            }
            refused(() -> stub.getMemberProfile(rfmRequest(nobody).build()), Status.Code.NOT_FOUND,
                    "no purchase or registration known for member " + nobody);
            refused(() -> stub.getMemberProfile(rfmRequest(member).setAsOf(known).build()), Status.Code.INVALID_ARGUMENT,
                    "as_of: not supported");
            assertThat(stub.getMemberProfile(rfmRequest(member).build()).getRfm().getOrdersTotal()).isEqualTo(1);

            // ListSegments takes nothing that could be wrong.
            assertThat(stub.listSegments(ListSegmentsRequest.getDefaultInstance()).getSegmentsList())
                    .extracting(Segment::getSegmentId).contains("churn-edge", "stage:new");

            // StreamSegmentMembers: segment_id, store_id (blank: every store).
            for (String id : badIds) {
                refused(() -> members(stub, streamRequest(id, "")), Status.Code.INVALID_ARGUMENT, "segment_id: ");
            }
            refused(() -> members(stub, streamRequest("", "")), Status.Code.INVALID_ARGUMENT, "segment_id: is required");
            refused(() -> members(stub, streamRequest("no-such-segment", "")), Status.Code.NOT_FOUND,
                    "no segment no-such-segment");
            refused(() -> members(stub, streamRequest("no-such-segment", "s-042")), Status.Code.NOT_FOUND,
                    "no segment no-such-segment");
            for (String store : new String[] {tooLong, huge, withNul}) {
                refused(() -> members(stub, streamRequest("churn-edge", store)), Status.Code.INVALID_ARGUMENT, "store_id: ");
            }
            refused(() -> members(stub, streamRequest("no-such-segment", withNul)), Status.Code.INVALID_ARGUMENT,
                    "store_id: must not contain control characters");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                String segment = given().get("/members/" + member + "/rfm").then().extract().path("segments[0]");
                assertThat(members(stub, streamRequest(segment, "s-042"))).contains(member);
                assertThat(members(stub, streamRequest(segment, " "))).contains(member);
                assertThat(members(stub, streamRequest(segment, "s-other"))).doesNotContain(member);
            });
        } finally {
            channel.shutdownNow();
        }
    }

    static GetMemberRfmRequest.Builder rfmRequest(String memberId) {
        return GetMemberRfmRequest.newBuilder().setMemberId(memberId);
    }

    static StreamSegmentMembersRequest streamRequest(String segmentId, String storeId) {
        return StreamSegmentMembersRequest.newBuilder().setSegmentId(segmentId).setStoreId(storeId).build();
    }

    /** The member ids streamed, to the end (a refusal surfaces while reading). */
    static List<String> members(SegmentServiceGrpc.SegmentServiceBlockingStub stub, StreamSegmentMembersRequest request) {
        List<String> ids = new ArrayList<>();
        stub.streamSegmentMembers(request).forEachRemaining(m -> ids.add(m.getMemberId()));
        return ids;
    }

    static void refused(ThrowingCallable call, Status.Code code, String descriptionStart) {
        assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).startsWith(descriptionStart);
        });
    }

    @Test
    void aPoisonRecordGoesToTheDeadLetterTopicAndTheRecordsAroundItAreRecorded() {
        String member = "m-" + UUID.randomUUID();
        var deadLetters = kafka.consume(String.class, byte[].class).fromTopics(Topics.deadLetter(Topics.MEMBER_EVENTS));
        kafka.produce(String.class, byte[].class).fromRecords(
                new ProducerRecord<>(Topics.MEMBER_EVENTS, member, new byte[] {(byte) 0xff, 0x01, 0x02})).awaitCompletion();
        send(order(member, member + "-after", DAY0, 10));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/members/" + member + "/rfm")
                .then().statusCode(200).body("rfm.ordersTotal", equalTo(1)));
        await().atMost(Duration.ofSeconds(20)).until(() -> deadLetters.getRecords().stream()
                .anyMatch(r -> member.equals(r.key())));
        deadLetters.stop();
    }

    @Test
    void aBusinessDefinedRuleSegmentIsCheckedPreviewedBackfilledAndPublished() {
        String member = "m-" + UUID.randomUUID();
        String segment = "whales-" + UUID.randomUUID().toString().substring(0, 8);
        var changes = kafka.consume(String.class, SegmentChanged.class).fromTopics(Topics.MEMBER_SEGMENTS);
        send(order(member, member + "-o1", DAY0, 25_000));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/members/" + member + "/rfm")
                .then().statusCode(200).body("segments", hasItem("stage:new")));

        given().contentType("application/json").body("{\"rule\": \"orders_total >= 1 && monetary_net_total > \\\"lots\\\"\"}")
                .post("/segments/preview").then().statusCode(400)
                .body("errors[0].field", equalTo("rule")).body("errors[0].line", equalTo(1))
                .body("errors[0].column", equalTo(41)).body("detail", containsString("line 1, column 41"));
        given().contentType("application/json").body("{\"rule\": ").post("/segments/preview").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("body"))
                .body("detail", startsWith("body: malformed JSON at line 1, column"));
        given().contentType("application/json").body("{\"rule\": {\"orders_total\": 1}}").post("/segments/preview").then()
                .statusCode(400).body("errors[0].field", equalTo("rule")).body("errors[0].reason", equalTo("must be a string"));
        given().contentType("application/json").body("{\"rules\": \"orders_total >= 1\"}").post("/segments/preview").then()
                .statusCode(400).body("errors[0].field", equalTo("rules"))
                .body("errors[0].reason", startsWith("is not a known field"));
        // A regex is checked on save: one that does not compile, or too large to evaluate per member, is refused.
        given().contentType("application/json").body("{\"id\": \"bad-regex\", \"name\": \"Bad\", "
                + "\"rule\": \"home_store.matches(\\\"[\\\")\"}").post("/segments").then().statusCode(400)
                .body("errors[0].field", equalTo("rule")).body("errors[0].line", equalTo(1))
                .body("errors[0].column", equalTo(20)).body("detail", containsString("invalid regular expression"));
        given().contentType("application/json").body("{\"id\": \"huge-regex\", \"name\": \"Huge\", "
                + "\"rule\": \"home_store.matches(\\\"((a{1000}){1000})\\\")\"}").post("/segments").then().statusCode(400)
                .body("errors[0].field", equalTo("rule")).body("detail", containsString("too large"));
        // A stage written as its segment id ("at-risk") is a stage no member has: refused, naming the stages.
        given().contentType("application/json").body("{\"rule\": \"stage == \\\"at-risk\\\"\"}").post("/segments/preview")
                .then().statusCode(400).body("errors[0].field", equalTo("rule")).body("errors[0].column", equalTo(10))
                .body("detail", containsString("new, growing, loyal, at_risk, dormant"));
        int preview = given().contentType("application/json").body("{\"rule\": \"monetary_net_total >= 20000.0\"}")
                .post("/segments/preview").then().statusCode(200).extract().path("size");
        assertThat(preview).isGreaterThanOrEqualTo(1);

        given().contentType("application/json")
                .body("{\"id\": \"%s\", \"name\": \"Whales\", \"rule\": \"monetary_net_total >= 20000.0\"}".formatted(segment))
                .post("/segments").then().statusCode(201).body("size", equalTo(preview));
        given().get("/segments/" + segment + "/members?limit=1000").then().statusCode(200).body("memberId", hasItem(member));
        given().get("/segments/" + segment + "/members?limit=abc").then().statusCode(400)
                .body("errors[0].field", equalTo("limit"));
        given().get("/segments/" + segment + "/members?offset=-1").then().statusCode(400)
                .body("errors[0].field", equalTo("offset"));
        given().get("/segments/" + segment + "/members?offset=first").then().statusCode(400)
                .body("errors[0].field", equalTo("offset"));
        // 2,000,000,000 was accepted: PostgreSQL walks every member of the segment before an OFFSET. Pages past the
        // first 100,000 members are read with after=, which reads only its page.
        given().get("/segments/" + segment + "/members?offset=2000000000").then().statusCode(400)
                .body("errors[0].field", equalTo("offset"))
                .body("errors[0].reason", equalTo("must be within 0..100000: page further with after=<the last memberId "
                        + "of the previous page>, which reads only its page"));
        given().get("/segments/" + segment + "/members?offset=100001").then().statusCode(400)
                .body("errors[0].field", equalTo("offset"));
        given().get("/segments/" + segment + "/members?offset=100000").then().statusCode(200).body("size()", equalTo(0));
        given().get("/segments").then().body("id", hasItem(segment));
        await().atMost(Duration.ofSeconds(20)).until(() -> changes.getRecords().stream().anyMatch(r -> r.key().equals(member)
                && r.value().getSegmentId().equals(segment) && r.value().getChange() == SegmentChanged.Change.CHANGE_ENTERED));
        changes.stop();

        // Live from now on: a new member who qualifies enters with their first event.
        String next = "m-" + UUID.randomUUID();
        send(order(next, next + "-o1", DAY0, 30_000));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/members/" + next + "/rfm")
                .then().statusCode(200).body("segments", hasItem(segment)));

        given().contentType("application/json")
                .body("{\"id\": \"%s\", \"name\": \"Again\", \"rule\": \"true\"}".formatted(segment))
                .post("/segments").then().statusCode(409);
        given().contentType("application/json").body("{\"id\": \"Bad Id!\", \"name\": \"x\", \"rule\": \"true\"}")
                .post("/segments").then().statusCode(400).body("errors[0].field", equalTo("id"));
    }

    @Test
    void aRuleSegmentIsChangedAndRetiredWithEveryMovePublished() {
        String big = "m-" + UUID.randomUUID();
        String small = "m-" + UUID.randomUUID();
        String segment = "spenders-" + UUID.randomUUID().toString().substring(0, 8);
        var changes = kafka.consume(String.class, SegmentChanged.class).fromTopics(Topics.MEMBER_SEGMENTS);
        send(order(big, big + "-o1", DAY0, 25_000), order(small, small + "-o1", DAY0, 5_000));
        // Both awaited: they are keyed by member, so may be consumed in different batches.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/members/" + small + "/rfm")
                .then().statusCode(200).body("rfm.monetaryNetTotal", equalTo(5_000.0f)));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/members/" + big + "/rfm")
                .then().statusCode(200).body("rfm.monetaryNetTotal", equalTo(25_000.0f)));
        given().contentType("application/json")
                .body("{\"id\": \"%s\", \"name\": \"Big\", \"rule\": \"monetary_net_total >= 20000.0\"}".formatted(segment))
                .post("/segments").then().statusCode(201);
        given().get("/members/" + big + "/rfm").then().body("segments", hasItem(segment));

        // Changed: the big spender leaves, the small one enters.
        String middle = "monetary_net_total >= 1000.0 && monetary_net_total < 20000.0";
        given().contentType("application/json").body("{\"name\": \"Middle\", \"rule\": \"%s\"}".formatted(middle))
                .put("/segments/" + segment).then().statusCode(200).body("name", equalTo("Middle"))
                .body("size", greaterThanOrEqualTo(1));
        given().get("/members/" + big + "/rfm").then().body("segments", not(hasItem(segment)));
        given().get("/members/" + small + "/rfm").then().body("segments", hasItem(segment));
        given().get("/segments").then().body("find { it.id == '%s' }.rule".formatted(segment), equalTo(middle))
                .body("find { it.id == '%s' }.name".formatted(segment), equalTo("Middle"));
        await().atMost(Duration.ofSeconds(20)).until(() -> published(changes, big, segment, SegmentChanged.Change.CHANGE_LEFT)
                && published(changes, small, segment, SegmentChanged.Change.CHANGE_ENTERED));

        // Refused changes leave the segment as it was.
        given().contentType("application/json").body("{\"name\": \"x\", \"rule\": \"monetary_net_total >\"}")
                .put("/segments/" + segment).then().statusCode(400).body("errors[0].field", equalTo("rule"));
        given().contentType("application/json").body("{\"name\": \" \", \"rule\": \"true\"}")
                .put("/segments/" + segment).then().statusCode(400).body("errors[0].field", equalTo("name"));
        given().contentType("application/json").body("{\"id\": \"other\", \"name\": \"x\", \"rule\": \"true\"}")
                .put("/segments/" + segment).then().statusCode(400).body("errors[0].field", equalTo("id"));
        given().contentType("application/json").body("{\"name\": \"x\", \"rule\": \"true\"}")
                .put("/segments/churn-edge").then().statusCode(409).body("detail", containsString("memberpulse.rfm.segments"));
        given().contentType("application/json").body("{\"name\": \"x\", \"rule\": \"true\"}")
                .put("/segments/stage:loyal").then().statusCode(409).body("detail", containsString("memberpulse.rfm.lifecycle"));
        given().contentType("application/json").body("{\"name\": \"x\", \"rule\": \"true\"}")
                .put("/segments/no-such-" + segment).then().statusCode(404);
        given().get("/members/" + small + "/rfm").then().body("segments", hasItem(segment));
        given().get("/segments").then().body("find { it.id == '%s' }.rule".formatted(segment), equalTo(middle));

        // Retired: its members leave, and it is gone.
        given().delete("/segments/stage:new").then().statusCode(409);
        given().delete("/segments/" + segment).then().statusCode(204);
        given().get("/members/" + small + "/rfm").then().body("segments", not(hasItem(segment)));
        given().get("/segments/" + segment + "/members").then().statusCode(404);
        given().get("/segments").then().body("id", not(hasItem(segment)));
        given().delete("/segments/" + segment).then().statusCode(404);
        await().atMost(Duration.ofSeconds(20)).until(() -> published(changes, small, segment, SegmentChanged.Change.CHANGE_LEFT));
        changes.stop();
    }

    /**
     * asOf is compared with the service's clock at each change of the definitions: a rule defined after it does not
     * apply, one edited since applies its old text, one retired since still applies.
     */
    @Test
    void asOfEvaluatesTheRuleSegmentsInForceThen() {
        String member = "m-" + UUID.randomUUID();
        String segment = "then-" + UUID.randomUUID().toString().substring(0, 8);
        send(order(member, member + "-o1", DAY0, 25_000));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/members/" + member + "/rfm")
                .then().statusCode(200).body("rfm.monetaryNetTotal", equalTo(25_000.0f)));
        Instant beforeDefined = tick();
        given().contentType("application/json")
                .body("{\"id\": \"%s\", \"name\": \"Big\", \"rule\": \"monetary_net_total >= 20000.0\"}".formatted(segment))
                .post("/segments").then().statusCode(201);
        Instant defined = tick();
        given().get("/members/" + member + "/rfm").then().body("segments", hasItem(segment));
        given().get("/members/" + member + "/rfm?definitions=asOf&asOf=" + defined).then().statusCode(200).body("segments", hasItem(segment));
        given().get("/members/" + member + "/rfm?definitions=asOf&asOf=" + beforeDefined).then().statusCode(200)
                .body("rfm.monetaryNetTotal", equalTo(25_000.0f)).body("segments", not(hasItem(segment)));
        // by default an as-of query judges the past by today's definitions, as the rule's backfill did
        given().get("/members/" + member + "/rfm?asOf=" + beforeDefined).then().statusCode(200)
                .body("segments", hasItem(segment));
        given().get("/members/" + member + "/rfm?definitions=current&asOf=" + beforeDefined).then().statusCode(200)
                .body("segments", hasItem(segment));

        given().contentType("application/json").body("{\"name\": \"Small\", \"rule\": \"monetary_net_total < 1000.0\"}")
                .put("/segments/" + segment).then().statusCode(200);
        Instant edited = tick();
        given().get("/members/" + member + "/rfm").then().body("segments", not(hasItem(segment)));
        given().get("/members/" + member + "/rfm?definitions=asOf&asOf=" + edited).then().body("segments", not(hasItem(segment)));
        given().get("/members/" + member + "/rfm?definitions=asOf&asOf=" + defined).then().body("segments", hasItem(segment)); // old text

        given().contentType("application/json").body("{\"name\": \"Big again\", \"rule\": \"monetary_net_total >= 1000.0\"}")
                .put("/segments/" + segment).then().statusCode(200);
        Instant editedBack = tick();
        given().delete("/segments/" + segment).then().statusCode(204);
        Instant retired = tick();
        given().get("/members/" + member + "/rfm").then().body("segments", not(hasItem(segment)));
        given().get("/members/" + member + "/rfm?definitions=asOf&asOf=" + retired).then().body("segments", not(hasItem(segment)));
        given().get("/members/" + member + "/rfm?definitions=asOf&asOf=" + editedBack).then().body("segments", hasItem(segment)); // not retired yet
        given().get("/members/" + member + "/rfm?definitions=asOf&asOf=" + edited).then().body("segments", not(hasItem(segment)));
        given().get("/members/" + member + "/rfm?definitions=asOf&asOf=" + defined).then().body("segments", hasItem(segment));
        given().get("/members/" + member + "/rfm?definitions=asOf&asOf=" + beforeDefined).then().body("segments", not(hasItem(segment)));

    }

    /** Thresholds changed after asOf (on the service's clock) do not apply to it: the ones in force then do. */
    @Test
    void asOfEvaluatesTheThresholdsInForceThen() {
        String member = "m-" + UUID.randomUUID();
        var orders = new ArrayList<MemberEvent>();
        for (int i = 0; i < 5; i++) {
            orders.add(order(member, member + "-o" + i, DAY0.plus(Duration.ofHours(i)), 200));
        }
        send(orders.toArray(MemberEvent[]::new));
        String dayAfter = DAY0.plus(Duration.ofDays(1)).toString();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/members/" + member + "/rfm?definitions=asOf&asOf=" + dayAfter)
                .then().statusCode(200).body("rfm.frequency30d", equalTo(5)).body("segments", hasItem("high-value-active")));
        Instant before = tick();
        try {
            given().contentType("application/json").body("{\"maxRecencyDays\": 6, \"minOrders30d\": 6, \"minMonetary30d\": 700}")
                    .put("/segments/high-value-active/thresholds").then().statusCode(200);
            Instant after = tick();
            // dayAfter, in 2024, is long before the change: the thresholds then (the configured ones) apply.
            given().get("/members/" + member + "/rfm?definitions=asOf&asOf=" + dayAfter).then().body("segments", hasItem("high-value-active"));
            given().get("/members/" + member + "/rfm?definitions=asOf&asOf=" + before).then().body("segments", not(hasItem("high-value-active")));
            given().get("/members/" + member + "/rfm?definitions=asOf&asOf=" + after).then().body("segments", not(hasItem("high-value-active")));
        } finally {
            given().contentType("application/json").body("{\"maxRecencyDays\": 6, \"minOrders30d\": 5, \"minMonetary30d\": 700}")
                    .put("/segments/high-value-active/thresholds").then().statusCode(200);
        }
    }

    /**
     * The configured thresholds and lifecycle rules are versioned as the rules are: an as-of instant in an older
     * configuration's period (here one recorded in 1995, long before the start that recorded the running one) is judged
     * by it with definitions=asOf, and by the running configuration by default.
     */
    @Test
    void asOfEvaluatesTheConfiguredThresholdsAndLifecycleRulesInForceThen() {
        String member = "m-" + UUID.randomUUID();
        Instant day = Instant.parse("1995-03-01T10:00:00Z");
        var orders = new ArrayList<MemberEvent>();
        for (int i = 0; i < 5; i++) {
            orders.add(order(member, member + "-o" + i, day.plus(Duration.ofHours(i)), 200));
        }
        send(orders.toArray(MemberEvent[]::new));
        String dayAfter = day.plus(Duration.ofDays(1)).toString();
        // today's configuration: five orders, 1,000 in 30 days, the last under a day ago: high-value active, growing
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/members/" + member + "/rfm?definitions=asOf&asOf=" + dayAfter)
                .then().statusCode(200).body("rfm.frequency30d", equalTo(5))
                .body("segments", hasItem("high-value-active")).body("segments", hasItem("stage:growing")));
        // the start recorded the running configuration as the last version
        List<ConfigurationHistory.Version> recorded = ruleStore.configurations().await().indefinitely();
        assertThat(recorded).isNotEmpty();
        assertThat(recorded.get(recorded.size() - 1).definitions()).isEqualTo(segmentDefinitions.configuration());

        // a version of 1995 that asked six orders of the high-value active and called a member at risk after half a day
        long older = pool.preparedQuery("""
                INSERT INTO configured_definition_history (valid_from, high_value_active_recency,
                    high_value_active_orders_30d, high_value_active_monetary, potential_recency, potential_orders_30d,
                    potential_monetary, churn_edge_recency, churn_edge_orders_30d, churn_edge_monetary, dormant_days,
                    at_risk_days, loyal_orders_90d, loyal_monetary_90d)
                VALUES ('1995-01-01T00:00:00Z', 6, 6, 700, 12, 3, 400, 20, 1, 200, 180, 0.5, 6, 600) RETURNING seq""")
                .execute().await().indefinitely().iterator().next().getLong(0);
        try {
            segmentDefinitions.reloadConfigurations(); // as the next rule reload does: read once per reload, not per query
            given().get("/members/" + member + "/rfm?definitions=asOf&asOf=" + dayAfter).then().statusCode(200)
                    .body("segments", not(hasItem("high-value-active"))).body("segments", hasItem("potential"))
                    .body("segments", hasItem("stage:at-risk")).body("segments", not(hasItem("stage:growing")));
            // by default the running configuration
            given().get("/members/" + member + "/rfm?asOf=" + dayAfter).then().statusCode(200)
                    .body("segments", hasItem("high-value-active")).body("segments", hasItem("stage:growing"));
            given().get("/members/" + member + "/rfm?definitions=current&asOf=" + dayAfter).then().statusCode(200)
                    .body("segments", hasItem("high-value-active")).body("segments", hasItem("stage:growing"));
            // begun after asOf, the 1995 version is the first recorded: the earliest is taken as in force before it
            pool.preparedQuery("UPDATE configured_definition_history SET valid_from = '1995-03-10T00:00:00Z' WHERE seq = $1")
                    .execute(io.vertx.mutiny.sqlclient.Tuple.of(older)).await().indefinitely();
            segmentDefinitions.reloadConfigurations();
            given().get("/members/" + member + "/rfm?definitions=asOf&asOf=" + dayAfter).then().statusCode(200)
                    .body("segments", not(hasItem("high-value-active"))).body("segments", hasItem("stage:at-risk"));
        } finally {
            pool.preparedQuery("DELETE FROM configured_definition_history WHERE seq = $1")
                    .execute(io.vertx.mutiny.sqlclient.Tuple.of(older)).await().indefinitely();
            segmentDefinitions.reloadConfigurations();
        }
    }


    @Test
    void aSegmentNameOrRuleWithAControlCharacterIsRefusedNamingTheFieldAndNothingIsStored() {
        String segment = "nul-" + UUID.randomUUID().toString().substring(0, 8);
        // \\u0000 in the JSON text: a NUL in the string, which PostgreSQL cannot store (a 500 before)
        given().contentType("application/json")
                .body("{\"id\": \"%s\", \"name\": \"Big\\u0000\", \"rule\": \"true\"}".formatted(segment))
                .post("/segments").then().statusCode(400).body("errors[0].field", equalTo("name"))
                .body("errors[0].reason", equalTo("must not contain control characters"));
        given().contentType("application/json")
                .body("{\"id\": \"%s\", \"name\": \"Big\", \"rule\": \"'a\\u0000' != 'b'\"}".formatted(segment))
                .post("/segments").then().statusCode(400).body("errors[0].field", equalTo("rule"))
                .body("errors[0].reason", equalTo("must not contain control characters other than tab and line breaks"));
        given().get("/segments").then().body("id", not(hasItem(segment)));
        // a rule over several lines is still a rule; its name is one line
        given().contentType("application/json")
                .body("{\"id\": \"%s\", \"name\": \"Big\", \"rule\": \"monetary_net_total >= 20000.0\\n\\t&& true\"}"
                        .formatted(segment))
                .post("/segments").then().statusCode(201);
        given().contentType("application/json").body("{\"name\": \"Two\\nlines\", \"rule\": \"true\"}")
                .put("/segments/" + segment).then().statusCode(400).body("errors[0].field", equalTo("name"));
        given().contentType("application/json").body("{\"name\": \"x\", \"rule\": \"'\\u0007' != ''\"}")
                .put("/segments/" + segment).then().statusCode(400).body("errors[0].field", equalTo("rule"));
        given().get("/segments").then().body("find { it.id == '%s' }.name".formatted(segment), equalTo("Big"));
        given().delete("/segments/" + segment).then().statusCode(204);
    }

    @Test
    void aDefaultSegmentsThresholdsChangeWhileRunning() {
        String member = "m-" + UUID.randomUUID();
        var changes = kafka.consume(String.class, SegmentChanged.class).fromTopics(Topics.MEMBER_SEGMENTS);
        // Bought 25 days before the event-time clock (which other tests move by years): on the edge, not dormant.
        Instant bought = streamClock.watermark().await().indefinitely().map(clock -> clock.minus(Duration.ofDays(25))).orElse(DAY0);
        send(order(member, member + "-o1", bought, 123));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/members/" + member + "/rfm")
                .then().statusCode(200).body("rfm.monetaryNetTotal", equalTo(123.0f)));
        var rfm = given().get("/members/" + member + "/rfm").then().extract().jsonPath();
        // Thresholds the member meets now and keeps meeting as the clock moves (R only grows, F30 and M30 only fall).
        long minRecency = (long) Math.max(0, Math.floor(rfm.getDouble("rfm.recencyDays") - 0.01));
        int maxOrders = rfm.getInt("rfm.frequency30d");
        long maxMonetary = (long) Math.ceil(rfm.getDouble("rfm.monetaryNet30d") + 0.01);
        String including = "{\"minRecencyDays\": %d, \"maxOrders30d\": %d, \"maxMonetary30d\": %d}";
        try {
            given().contentType("application/json").body(including.formatted(minRecency, maxOrders, maxMonetary))
                    .put("/segments/churn-edge/thresholds").then().statusCode(200)
                    .body("rule", equalTo("R >= %dd and R < 180d and wF30 <= %d and M30 <= %d".formatted(minRecency, maxOrders, maxMonetary)));
            given().get("/members/" + member + "/rfm").then().body("segments", hasItem("churn-edge"));
            given().get("/segments").then().body("find { it.id == 'churn-edge' }.rule",
                    equalTo("R >= %dd and R < 180d and wF30 <= %d and M30 <= %d".formatted(minRecency, maxOrders, maxMonetary)));

            given().contentType("application/json").body(including.formatted(170, maxOrders, maxMonetary))
                    .put("/segments/churn-edge/thresholds").then().statusCode(200);
            given().get("/members/" + member + "/rfm").then().body("segments", not(hasItem("churn-edge")));
            await().atMost(Duration.ofSeconds(20)).until(() -> published(changes, member, "churn-edge",
                    SegmentChanged.Change.CHANGE_LEFT));

            // Refused: each names its field or says why, and nothing changes.
            given().contentType("application/json").body("{\"minRecencyDays\": 20, \"maxOrders30d\": 1}")
                    .put("/segments/churn-edge/thresholds").then().statusCode(400)
                    .body("errors[0].field", equalTo("maxMonetary30d"));
            given().contentType("application/json")
                    .body("{\"maxRecencyDays\": 5, \"minRecencyDays\": 20, \"maxOrders30d\": 1, \"maxMonetary30d\": 200}")
                    .put("/segments/churn-edge/thresholds").then().statusCode(400)
                    .body("errors[0].field", equalTo("maxRecencyDays")).body("detail", containsString("does not apply"));
            given().contentType("application/json").body("{\"minRecencyDays\": -1, \"maxOrders30d\": 1, \"maxMonetary30d\": 200}")
                    .put("/segments/churn-edge/thresholds").then().statusCode(400)
                    .body("errors[0].field", equalTo("minRecencyDays")).body("detail", containsString(">= 0"));
            given().contentType("application/json").body("{\"minRecencyDays\": 180, \"maxOrders30d\": 1, \"maxMonetary30d\": 200}")
                    .put("/segments/churn-edge/thresholds").then().statusCode(400)
                    .body("errors[0].field", equalTo("minRecencyDays")).body("detail", containsString("lifecycle.dormant-days (180)"));
            given().contentType("application/json").body("{\"maxRecencyDays\": 6, \"minOrders30d\": 0, \"minMonetary30d\": 700}")
                    .put("/segments/high-value-active/thresholds").then().statusCode(400)
                    .body("errors[0].field", equalTo("minOrders30d"));
            // Numbers JSON can write but no threshold is: a fraction of an order, an infinite amount.
            given().contentType("application/json").body("{\"maxRecencyDays\": 6, \"minOrders30d\": 2.5, \"minMonetary30d\": 700}")
                    .put("/segments/high-value-active/thresholds").then().statusCode(400)
                    .body("errors[0].field", equalTo("minOrders30d"));
            given().contentType("application/json").body("{\"maxRecencyDays\": 6, \"minOrders30d\": 5, \"minMonetary30d\": 1e400}")
                    .put("/segments/high-value-active/thresholds").then().statusCode(400)
                    .body("errors[0].field", equalTo("minMonetary30d")).body("detail", containsString("finite"));
            given().contentType("application/json").body("{\"maxRecencyDays\": 6, \"minOrders30d\": 5, \"minMonetary30d\": 700}")
                    .put("/segments/stage:new/thresholds").then().statusCode(409);
            given().contentType("application/json").body("{\"maxRecencyDays\": 6, \"minOrders30d\": 5, \"minMonetary30d\": 700}")
                    .put("/segments/no-such-segment/thresholds").then().statusCode(404);
            given().contentType("application/json").body("{\"name\": \"x\", \"rule\": \"true\"}")
                    .put("/segments/churn-edge").then().statusCode(409).body("detail", containsString("/thresholds"));
            given().get("/segments").then().body("find { it.id == 'churn-edge' }.rule",
                    equalTo("R >= 170d and R < 180d and wF30 <= %d and M30 <= %d".formatted(maxOrders, maxMonetary)));
        } finally {
            changes.stop();
            // DOMAIN.md's store target again, for the other tests.
            given().contentType("application/json").body("{\"minRecencyDays\": 20, \"maxOrders30d\": 1, \"maxMonetary30d\": 200}")
                    .put("/segments/churn-edge/thresholds").then().statusCode(200)
                    .body("rule", equalTo("R >= 20d and R < 180d and wF30 <= 1 and M30 <= 200"));
        }
    }

    private static boolean published(io.smallrye.reactive.messaging.kafka.companion.ConsumerTask<String, SegmentChanged> changes,
            String member, String segment, SegmentChanged.Change change) {
        return changes.getRecords().stream().anyMatch(r -> r.key().equals(member)
                && r.value().getSegmentId().equals(segment) && r.value().getChange() == change);
    }

    static MemberEvent fact(String memberId, String eventId, EventType type, Instant at, String store) {
        return MemberEvent.newBuilder().setMemberId(memberId).setEvent(ChannelEvent.newBuilder()
                .setEventId(eventId).setSource(Source.SOURCE_MINIAPP).setType(type)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond())).setStoreId(store)).build();
    }

    static MemberEvent coupon(String memberId, String eventId, Source source, EventType type, Instant at, String couponId) {
        return MemberEvent.newBuilder().setMemberId(memberId).setEvent(ChannelEvent.newBuilder()
                .setEventId(eventId).setSource(source).setType(type)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond())).setStoreId("s-042")
                .setCoupon(io.memberpulse.proto.identity.v1.Coupon.newBuilder().setCouponId(couponId))).build();
    }

    /**
     * Coupon C1's redemption reported by the till and by the CRM (two event ids) is one coupon redeemed: with C2 issued
     * and unused, half the coupons issued were redeemed, not all of them.
     */
    @Test
    void aCouponRedemptionReportedByTwoSystemsCountsOnce() {
        String member = "m-" + UUID.randomUUID();
        Instant now = streamClock.watermark().await().indefinitely().orElse(DAY0);
        send(fact(member, member + "-r", EventType.EVENT_TYPE_REGISTER, now.minus(Duration.ofDays(30)), "s-042"),
                coupon(member, member + "-i1", Source.SOURCE_CRM, EventType.EVENT_TYPE_COUPON_ISSUED,
                        now.minus(Duration.ofDays(20)), "C1-" + member),
                coupon(member, member + "-i2", Source.SOURCE_CRM, EventType.EVENT_TYPE_COUPON_ISSUED,
                        now.minus(Duration.ofDays(20)), "C2-" + member),
                coupon(member, member + "-pos", Source.SOURCE_POS, EventType.EVENT_TYPE_COUPON_REDEEMED,
                        now.minus(Duration.ofDays(4)), "C1-" + member),
                coupon(member, member + "-crm", Source.SOURCE_CRM, EventType.EVENT_TYPE_COUPON_REDEEMED,
                        now.minus(Duration.ofDays(4)), "C1-" + member),
                // last on the member's partition: once it counts, both reports have been read
                fact(member, member + "-v", EventType.EVENT_TYPE_VISIT, now.minus(Duration.ofDays(1)), "s-042"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/members/" + member + "/profile")
                .then().statusCode(200)
                .body("tags.find { it.name == 'visits_30d' }.value", equalTo("1"))
                .body("tags.find { it.name == 'coupons_redeemed' }.value", equalTo("1"))
                .body("tags.find { it.name == 'coupon_redemption_rate' }.value", equalTo("0.50")));
    }

    @Test
    void twoChannelsOrdersUnderTheSameOrderIdAreTwoOrdersAndARefundTakesBackOnlyItsOwn() {
        String member = "m-" + UUID.randomUUID();
        String orderId = "1001-" + member; // the till's and the mini-program's own numbering, which can meet
        Instant now = streamClock.watermark().await().indefinitely().orElse(DAY0);
        MemberEvent till = order(member, orderId, now.minus(Duration.ofDays(3)), 50);
        MemberEvent app = order(member, orderId, now.minus(Duration.ofDays(20)), 80).toBuilder()
                .setEvent(order(member, orderId, now.minus(Duration.ofDays(20)), 80).getEvent().toBuilder()
                        .setEventId(orderId + "-app").setSource(Source.SOURCE_MINIAPP)).build();
        send(till, app);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/members/" + member + "/rfm")
                .then().statusCode(200).body("rfm.ordersTotal", equalTo(2)).body("rfm.frequency30d", equalTo(2)));
        // the till's order refunded in full: the mini-program's order stays a purchase (both went before)
        send(MemberEvent.newBuilder().setMemberId(member).setEvent(till.getEvent().toBuilder()
                .setEventId(orderId + "-refund").setType(EventType.EVENT_TYPE_REFUND).setOccurredAt(Timestamp.newBuilder()
                        .setSeconds(now.minus(Duration.ofDays(2)).getEpochSecond()))
                .setLine(OrderLine.newBuilder().setOrderId(orderId).setRefundAmount(50))).build());
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/members/" + member + "/rfm")
                .then().statusCode(200).body("rfm.ordersTotal", equalTo(1)).body("rfm.frequency30d", equalTo(1))
                .body("rfm.monetaryNetTotal", equalTo(80.0f)));
    }

    /** A refund at the till of an order identity-service counts under the delivery platform's report of it. */
    static MemberEvent tillRefund(String member, String eventId, String tillOrder, String deliveryOrder, Instant at,
            double amount) {
        MemberEvent.Builder refund = MemberEvent.newBuilder().setMemberId(member).setEvent(ChannelEvent.newBuilder()
                .setEventId(eventId).setSource(Source.SOURCE_POS).setType(EventType.EVENT_TYPE_REFUND)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond())).setStoreId("s-042")
                .setLine(OrderLine.newBuilder().setOrderId(tillOrder).setRefundAmount(amount)));
        if (deliveryOrder != null) {
            refund.setCountedOrder(OrderRef.newBuilder().setSource(Source.SOURCE_DELIVERY).setOrderId(deliveryOrder));
        }
        return refund.build();
    }

    @Test
    void aRefundAtTheTillOfAFlaggedCopyTakesBackTheCountedOrder() {
        String member = "m-" + UUID.randomUUID();
        String delivery = "D1-" + member;
        String till = "T9-" + member;
        Instant now = streamClock.watermark().await().indefinitely().orElse(DAY0);
        MemberEvent counted = order(member, delivery, now.minus(Duration.ofDays(3)), 100);
        counted = counted.toBuilder().setEvent(counted.getEvent().toBuilder().setSource(Source.SOURCE_DELIVERY)).build();
        // the till rang the delivery order up again minutes later: flagged on arrival, never counted
        MemberEvent copy = order(member, till, now.minus(Duration.ofDays(3)).plusSeconds(420), 100).toBuilder()
                .setDuplicateOrder(true).setNeverCounted(true).build();
        // a partial refund at the till naming its own order id, which identity maps to the counted order
        send(counted, copy, tillRefund(member, till + "-r1", till, delivery, now.minus(Duration.ofDays(2)), 40));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/members/" + member + "/rfm")
                .then().statusCode(200).body("rfm.ordersTotal", equalTo(1)).body("rfm.monetaryNetTotal", equalTo(60.0f)));
        // the rest refunded, first published without the counted order (its lines were flagged only later), then
        // again with it, then once more: the order is no purchase, and the refund is taken once
        MemberEvent rest = tillRefund(member, till + "-r2", till, null, now.minus(Duration.ofDays(1)), 60);
        send(rest);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/members/" + member + "/rfm")
                .then().statusCode(200).body("rfm.monetaryNetTotal", equalTo(0.0f)));
        MemberEvent restMapped = tillRefund(member, till + "-r2", till, delivery, now.minus(Duration.ofDays(1)), 60);
        send(restMapped, restMapped);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/members/" + member + "/rfm")
                .then().statusCode(200).body("rfm.ordersTotal", equalTo(0)).body("rfm.frequency30d", equalTo(0))
                .body("rfm.monetaryNetTotal", equalTo(0.0f)));
    }

    /**
     * A refund moved to the delivery order while the till's order was all copy comes back once a line of the till's
     * own arrives (identity-service publishes it again naming the till's order): the till's order is refunded in
     * full, the delivery order counts whole. Left on the delivery order, both orders would count.
     */
    @Test
    void aRefundMovedToTheCountedOrderComesBackWhenTheTillsOrderCountsAgain() {
        String member = "m-" + UUID.randomUUID();
        String delivery = "D2-" + member;
        String till = "T8-" + member;
        Instant now = streamClock.watermark().await().indefinitely().orElse(DAY0);
        MemberEvent counted = order(member, delivery, now.minus(Duration.ofDays(3)), 100);
        counted = counted.toBuilder().setEvent(counted.getEvent().toBuilder().setSource(Source.SOURCE_DELIVERY)).build();
        MemberEvent copy = order(member, till, now.minus(Duration.ofDays(3)).plusSeconds(420), 100).toBuilder()
                .setDuplicateOrder(true).setNeverCounted(true).build();
        send(counted, copy, tillRefund(member, till + "-r1", till, delivery, now.minus(Duration.ofDays(2)), 30));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/members/" + member + "/rfm")
                .then().statusCode(200).body("rfm.ordersTotal", equalTo(1)).body("rfm.monetaryNetTotal", equalTo(70.0f)));
        // a line the delivery order did not hold, counted on its own, and the refund published again naming the till's
        MemberEvent own = order(member, till, now.minus(Duration.ofDays(3)).plusSeconds(420), 30);
        own = own.toBuilder().setEvent(own.getEvent().toBuilder().setEventId(till + "-2")).build();
        MemberEvent back = tillRefund(member, till + "-r1", till, null, now.minus(Duration.ofDays(2)), 30).toBuilder()
                .setCountedOrder(OrderRef.newBuilder().setSource(Source.SOURCE_POS).setOrderId(till)).build();
        send(own, back);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/members/" + member + "/rfm")
                .then().statusCode(200).body("rfm.ordersTotal", equalTo(1)).body("rfm.monetaryNetTotal", equalTo(100.0f)));
    }

    /** memberpulse.rfm.purchase.lines counts what a batch recorded new: a refund moved to another order is not. */
    @Test
    void aRefundMovedToAnotherOrderIsNoNewPurchaseLine() {
        String member = "m-" + UUID.randomUUID();
        Instant at = streamClock.watermark().await().indefinitely().orElse(DAY0).minus(Duration.ofDays(1));
        String till = "T7-" + member;
        assertThat(facts.record(List.of(tillRefund(member, till + "-r", till, null, at, 12))).newLines()).isEqualTo(1);
        assertThat(facts.record(List.of(tillRefund(member, till + "-r", till, "D7-" + member, at, 12))).newLines())
                .as("moved only").isZero();
        assertThat(purchaseLines.linesOf(List.of(member)).await().indefinitely().get(member))
                .extracting(line -> line.orderId()).containsExactly("delivery:D7-" + member);
    }

    /**
     * A refund's publications on either side of a merge go out under different members (partitions): the newer one,
     * naming the delivery order, consumed first; the older, naming the till's own order, after it. The refund stays
     * on the order the newer names (MemberEvent.publication_version).
     */
    @Test
    void anOlderPublicationOfARefundConsumedAfterANewerOneLeavesItOnTheNewersOrder() {
        String member = "m-" + UUID.randomUUID();
        String survivor = "m-" + UUID.randomUUID();
        Instant at = streamClock.watermark().await().indefinitely().orElse(DAY0).minus(Duration.ofDays(1));
        String till = "T6-" + member;
        MemberEvent newer = tillRefund(survivor, till + "-r", till, "D6-" + member, at, 12).toBuilder()
                .setPublicationVersion(9).build();
        MemberEvent older = tillRefund(member, till + "-r", till, null, at, 12).toBuilder()
                .setCountedOrder(OrderRef.newBuilder().setSource(Source.SOURCE_POS).setOrderId(till))
                .setPublicationVersion(7).build();
        facts.record(List.of(newer));
        facts.record(List.of(older));
        assertThat(purchaseLines.linesOf(List.of(survivor)).await().indefinitely().get(survivor))
                .extracting(line -> line.orderId()).containsExactly("delivery:D6-" + member);
        // a publisher predating the version: applied as before, the last consumed wins
        facts.record(List.of(older.toBuilder().setPublicationVersion(0).build()));
        assertThat(purchaseLines.linesOf(List.of(survivor)).await().indefinitely().get(survivor))
                .extracting(line -> line.orderId()).containsExactly("pos:" + till);
    }

    @Test
    void aMemberWhoRegisteredAndNeverBoughtIsNewInTheStoreTheyRegisteredIn() {
        String member = "m-" + UUID.randomUUID();
        var changes = kafka.consume(String.class, SegmentChanged.class).fromTopics(Topics.MEMBER_SEGMENTS);
        // At the event-time clock (which other tests move by years), so the registration is fresh.
        Instant now = streamClock.watermark().await().indefinitely().orElse(DAY0);
        send(fact(member, member + "-r", EventType.EVENT_TYPE_REGISTER, now, "s-077"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/members/" + member + "/rfm")
                .then().statusCode(200).body("rfm.ordersTotal", equalTo(0)).body("rfm.homeStoreId", equalTo("s-077"))
                .body("rfm.registeredAt", equalTo(now.toString())).body("segments", equalTo(List.of("stage:new"))));
        given().get("/members/" + member + "/profile").then().statusCode(200).body("stage", equalTo("new"))
                .body("stageSegmentId", equalTo("stage:new"))
                .body("tags.find { it.name == 'registration_date' }.value",
                        equalTo(now.atZone(java.time.ZoneId.of("Asia/Shanghai")).toLocalDate().toString()));
        await().atMost(Duration.ofSeconds(20)).until(() -> published(changes, member, "stage:new", SegmentChanged.Change.CHANGE_ENTERED));
        given().queryParam("store", "s-077").get("/segments/stage:new/members").then().statusCode(200)
                .body("memberId", hasItem(member));
        changes.stop();
    }

    /** Keyset pages: each page reads only its own rows; offset paging re-read the whole segment for every page. */
    @Test
    void aSegmentsMembersArePagedAfterTheLastMemberIdWithTheNextPageInALinkHeader() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String store = "kp-" + run;
        Instant now = streamClock.watermark().await().indefinitely().orElse(DAY0);
        List<String> members = List.of("kp-" + run + "-a", "kp-" + run + "-b", "kp-" + run + "-c");
        for (String member : members) {
            send(fact(member, member + "-r", EventType.EVENT_TYPE_REGISTER, now, store));
        }
        String firstPage = "/segments/stage:new/members?store=" + store + "&limit=2";
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get(firstPage.replace("limit=2", "limit=10"))
                .then().statusCode(200).body("memberId", equalTo(members)));

        var first = given().get(firstPage).then().statusCode(200).body("memberId", equalTo(members.subList(0, 2)))
                .extract();
        String link = first.header("Link");
        assertThat(link).contains("after=" + members.get(1)).contains("limit=2").endsWith(">; rel=\"next\"");
        String next = link.substring(link.indexOf('<') + 1, link.indexOf('>'));
        // the link is already encoded (stage%3Anew): followed as it is
        var second = given().urlEncodingEnabled(false).get(next).then().statusCode(200).body("memberId", equalTo(members.subList(2, 3))).extract();
        assertThat(second.header("Link")).isNull(); // not a full page: the last
        given().get(firstPage + "&after=" + members.get(0)).then().statusCode(200)
                .body("memberId", equalTo(members.subList(1, 3)));
        // offset paging still works
        given().get(firstPage + "&offset=2").then().statusCode(200).body("memberId", equalTo(members.subList(2, 3)));
        given().get(firstPage + "&after=" + "x".repeat(129)).then().statusCode(400).body("errors[0].field", equalTo("after"));
    }

    @Test
    void aRuleDefinedAfterTheChurnScoresArrivedSeesThem() {
        // No rule segment at all while the score arrives (other tests' rules retired; the defaults and stages refuse it).
        for (String id : given().get("/segments").then().statusCode(200).extract().jsonPath().getList("id", String.class)) {
            given().delete("/segments/" + id);
        }
        String member = "m-" + UUID.randomUUID();
        String store = "s-" + UUID.randomUUID().toString().substring(0, 8);
        MemberEvent bought = MemberEvent.newBuilder().setMemberId(member).setEvent(ChannelEvent.newBuilder()
                .setEventId(member + "-o1").setSource(Source.SOURCE_POS).setType(EventType.EVENT_TYPE_ORDER)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(DAY0.getEpochSecond())).setStoreId(store)
                .setLine(OrderLine.newBuilder().setOrderId(member + "-o1").setQuantity(1).setPaidAmount(40))).build();
        send(bought);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/members/" + member + "/rfm").then().statusCode(200));
        // Scored while no rule tests churn scores (this test's rule comes after): recorded, nothing recomputed.
        kafka.registerSerde(io.memberpulse.proto.churn.v1.ChurnScored.class,
                ProtobufSerdes.of(new io.memberpulse.proto.kafka.ChurnScoredDeserializer()));
        kafka.produce(String.class, io.memberpulse.proto.churn.v1.ChurnScored.class).fromRecords(new ProducerRecord<>(
                Topics.CHURN_SCORES, member, io.memberpulse.proto.churn.v1.ChurnScored.newBuilder().setMemberId(member)
                        .setProbability(0.91).setAsOf(Timestamp.newBuilder().setSeconds(DAY0.getEpochSecond())).build()))
                .awaitCompletion();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/members/" + member + "/profile")
                .then().statusCode(200).body("tags.find { it.name == 'churn_probability' }.value", equalTo("0.910")));

        String segment = "risky-" + store;
        try {
            given().contentType("application/json").body("{\"id\": \"%s\", \"name\": \"Risky\", \"rule\": \"churn_scored && churn_probability >= 0.9 && home_store == '%s'\"}"
                            .formatted(segment, store))
                    .post("/segments").then().statusCode(201).body("size", equalTo(1));
            given().get("/members/" + member + "/rfm").then().statusCode(200).body("segments", hasItem(segment));
        } finally {
            given().delete("/segments/" + segment);
        }
    }

    @Test
    void theProfileCarriesTagsIncludingRiskFromChurnScores() {
        String member = "m-" + UUID.randomUUID();
        send(order(member, member + "-o1", DAY0, 120), order(member, member + "-o2", DAY0.plus(Duration.ofDays(2)), 80));
        kafka.registerSerde(io.memberpulse.proto.churn.v1.ChurnScored.class,
                ProtobufSerdes.of(new io.memberpulse.proto.kafka.ChurnScoredDeserializer()));
        kafka.produce(String.class, io.memberpulse.proto.churn.v1.ChurnScored.class).fromRecords(new ProducerRecord<>(
                Topics.CHURN_SCORES, member, io.memberpulse.proto.churn.v1.ChurnScored.newBuilder().setMemberId(member)
                        .setProbability(0.83).setAsOf(Timestamp.newBuilder().setSeconds(DAY0.getEpochSecond())).build()))
                .awaitCompletion();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/members/" + member + "/profile")
                .then().statusCode(200).body("stage", equalTo("growing"))
                .body("stageSegmentId", equalTo("stage:growing"))
                .body("tags.find { it.name == 'churn_risk' }.value", equalTo("high"))
                .body("tags.find { it.name == 'spend_band' }.family", equalTo("behaviour"))
                .body("tags.find { it.name == 'home_store' }.value", equalTo("s-042")));
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext()
                .intercept(AuthTestResource.as(AuthTestResource.analyst())).build();
        try {
            var profile = SegmentServiceGrpc.newBlockingStub(channel)
                    .getMemberProfile(GetMemberRfmRequest.newBuilder().setMemberId(member).build());
            assertThat(profile.getStage().name()).isEqualTo("LIFECYCLE_STAGE_GROWING");
            assertThat(profile.getTagsList()).anyMatch(t -> t.getFamily().equals("risk") && t.getValue().equals("0.830"));
        } finally {
            channel.shutdownNow();
        }
    }

    /**
     * A flushed (or failed-over) Redis fills again as members are read: the row read from PostgreSQL on a miss is
     * cached, and the last re-ageing's instant with it, so the next read is served from Redis as PostgreSQL
     * answered it, R included. (A merge racing that write-back: OutOfOrderCacheWritesTest.)
     */
    @Test
    void aFlushedRedisIsRebuiltFromPostgres() {
        String member = "m-" + UUID.randomUUID();
        Instant now = streamClock.watermark().await().indefinitely().orElse(DAY0);
        send(order(member, member + "-o1", now, 77));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/members/" + member + "/rfm")
                .then().statusCode(200).body("rfm.monetaryNetTotal", equalTo(77.0f)));
        // Time passes for everyone (another member's order an hour later, then a pass): the member's row is not
        // rewritten, its R is read as of the pass.
        String other = "m-" + UUID.randomUUID();
        send(order(other, other + "-o1", now.plus(Duration.ofHours(1)), 10));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/members/" + other + "/rfm")
                .then().statusCode(200));
        recompute.backfill();
        float aged = given().get("/members/" + member + "/rfm").then().statusCode(200).extract().path("rfm.recencyDays");
        assertThat(aged).as("R moved by the pass").isPositive();

        flushThisRunsKeys();
        String key = keyPrefix + "rfm:" + member;
        assertThat(redis.key().exists(key)).isFalse();
        given().get("/members/" + member + "/rfm").then().statusCode(200)
                .body("rfm.monetaryNetTotal", equalTo(77.0f)).body("rfm.recencyDays", equalTo(aged));
        assertThat(redis.key().exists(key)).as("the read cached the row again").isTrue();

        // Served from Redis now: with the row gone from PostgreSQL behind the cache's back, still the same answer.
        memberRows.delete(List.of(member), List.of()).await().indefinitely();
        given().get("/members/" + member + "/rfm").then().statusCode(200)
                .body("rfm.monetaryNetTotal", equalTo(77.0f)).body("rfm.recencyDays", equalTo(aged));
    }

    /** What FLUSHDB does to this service, for this test JVM's keys only: other runs share the Redis server. */
    void flushThisRunsKeys() {
        List<String> keys = redis.key().keys(keyPrefix + "*");
        if (!keys.isEmpty()) {
            redis.key().del(keys.toArray(String[]::new));
        }
    }

    @Test
    void idsPostgresqlCannotTakeAreRefusedNamingTheFieldAsGrpcRefusesThem() {
        // Sent as written: %00 is a NUL in the path, which PostgreSQL refuses in text (a 500 before).
        given().urlEncodingEnabled(false).get("/members/%00/rfm").then().statusCode(400)
                .body("errors[0].field", equalTo("memberId")).body("detail", containsString("control characters"));
        given().urlEncodingEnabled(false).get("/members/%00/profile").then().statusCode(400)
                .body("errors[0].field", equalTo("memberId"));
        given().get("/members/" + "m".repeat(200) + "/rfm").then().statusCode(400)
                .body("errors[0].field", equalTo("memberId")).body("detail", containsString("at most 128"));
        given().urlEncodingEnabled(false).get("/segments/churn-edge/members?store=s%00").then().statusCode(400)
                .body("errors[0].field", equalTo("store"));
        given().queryParam("store", "s".repeat(200)).get("/segments/churn-edge/members").then().statusCode(400)
                .body("errors[0].field", equalTo("store"));
    }

    @Test
    void badParametersAndUnknownMembersGetClearAnswers() {
        given().queryParam("asOf", "last tuesday").get("/members/x/rfm")
                .then().statusCode(400).body("errors[0].field", equalTo("asOf"));
        given().queryParam("asOf", "2024-01-01T00:00:00Z").queryParam("definitions", "then").get("/members/x/rfm")
                .then().statusCode(400).body("errors[0].field", equalTo("definitions"));
        given().queryParam("definitions", "asOf").get("/members/x/rfm")
                .then().statusCode(400).body("errors[0].field", equalTo("definitions"));
        given().get("/members/nobody-" + UUID.randomUUID() + "/rfm")
                .then().statusCode(404).body("detail", containsString("no purchase or registration"));
        given().get("/segments/no-such-segment/members").then().statusCode(404);
        given().get("/segments").then().statusCode(200).body("id", hasItem("churn-edge"));
    }
}
