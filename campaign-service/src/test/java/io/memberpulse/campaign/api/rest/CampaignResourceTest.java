package io.memberpulse.campaign.api.rest;

import static io.memberpulse.campaign.testdata.ChurnEvents.T1;
import static io.memberpulse.campaign.testdata.ChurnEvents.scored;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannelBuilder;
import io.memberpulse.campaign.WithKafkaCompanion;
import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.campaign.SimulatedClock;
import io.memberpulse.campaign.domain.experiment.Arm;
import io.memberpulse.campaign.domain.experiment.Assignment;
import io.memberpulse.campaign.store.MemberSegmentRepository;
import io.memberpulse.campaign.testdata.Campaigns;
import io.memberpulse.campaign.testdata.ChurnEvents;
import io.memberpulse.campaign.testdata.MemberEvents;
import io.memberpulse.proto.campaign.v1.CampaignServiceGrpc;
import io.memberpulse.proto.campaign.v1.GetCampaignResultsRequest;
import io.memberpulse.proto.churn.v1.ChurnScored;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.Source;
import io.memberpulse.proto.kafka.MemberEventDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.proto.kafka.Topics;
import io.memberpulse.proto.segments.v1.SegmentChanged;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class CampaignResourceTest extends WithKafkaCompanion {
    /**
     * The campaigns' window runs now: one that has ended by the service's clock (the system's unless a test sets it)
     * is neither planned nor goes live. The tests place events in it, before it and after it.
     */
    static final Instant START = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(10));
    static final Instant END = START.plus(Duration.ofDays(30));

    @Inject
    MemberSegmentRepository memberSegments;

    @Inject
    Pool database;

    @Inject
    SimulatedClock clock;

    /** The serdes of the payloads this test publishes or reads, beside ChurnScored's. */
    @BeforeEach
    void registerSerdes() {
        kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
        kafka.registerSerde(SegmentChanged.class, ProtobufSerdes.of(new io.memberpulse.proto.kafka.SegmentChangedDeserializer()));
    }

    @AfterEach
    void close() {
        clock.reset();
    }

    static String plan(String store, double holdout) {
        return """
                {"name": "win-back calls", "targetMinProbability": 0.7, "targetStoreId": "%s", "channel": "call",
                 "content": "we miss you", "offer": "¥10 coupon", "couponValue": 10, "startAt": "%s", "endAt": "%s",
                 "holdoutShare": %s}""".formatted(store, START, END, holdout);
    }

    static ProducerRecord<String, MemberEvent> order(String member, String id, Instant at, double paid) {
        return order(member, id, id, Source.SOURCE_POS, at, paid);
    }

    static ProducerRecord<String, MemberEvent> order(String member, String orderId, String eventId, Source source, Instant at,
            double paid) {
        MemberEvent event = MemberEvent.newBuilder().setMemberId(member).setEvent(ChannelEvent.newBuilder()
                .setEventId(eventId).setSource(source).setType(EventType.EVENT_TYPE_ORDER)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond()))
                .setLine(OrderLine.newBuilder().setOrderId(orderId).setQuantity(1).setPaidAmount(paid))).build();
        return new ProducerRecord<>(Topics.MEMBER_EVENTS, member, event);
    }

    static ProducerRecord<String, SegmentChanged> segmentChange(String member, String segment, SegmentChanged.Change change,
            Instant at) {
        return new ProducerRecord<>(Topics.MEMBER_SEGMENTS, member, SegmentChanged.newBuilder().setMemberId(member)
                .setSegmentId(segment).setChange(change).setAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond())).build());
    }

    @Test
    void aCampaignIsPlannedGoesLiveWithAStickyHoldoutAndIsReviewedAgainstIt() {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        List<ChurnScored> scores = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            scores.add(scored("m-" + run + "-" + i, store, i < 40 ? 0.9 : i < 300 ? 0.8 : 0.2, 100, T1));
        }
        // The 40 riskiest first (their quota: 4 calls), so the store's top share only grows while the rest arrive: a
        // call opened for a member the later scores push out of it would stay until due (InterventionSop.plan).
        ChurnEvents.publish(kafka, scores.subList(0, 40));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().queryParam("limit", 100)
                .get("/stores/{s}/call-list", store).then().statusCode(200).body("tasks.size()", equalTo(4)));
        ChurnEvents.publish(kafka, scores.subList(40, 400));
        // Two segments of 150 each, known before the campaign enrols anyone.
        List<String> targeted = new ArrayList<>();
        List<ProducerRecord<String, SegmentChanged>> segments = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String member = "m-" + run + "-" + i;
            targeted.add(member);
            segments.add(segmentChange(member, i < 150 ? "seg-a-" + run : "seg-b-" + run, SegmentChanged.Change.CHANGE_ENTERED, START));
        }
        kafka.produce(String.class, SegmentChanged.class).fromRecords(segments).awaitCompletion();
        await().atMost(Duration.ofSeconds(30)).until(() -> memberSegments.memberships(targeted,
                List.of("seg-a-" + run, "seg-b-" + run)).await().indefinitely().size() == 300);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().contentType(ContentType.JSON)
                .body(plan(store, 0.3)).post("/campaigns").then().statusCode(201).body("audience", equalTo(300)));

        var planned = given().contentType(ContentType.JSON).body(plan(store, 0.3)).post("/campaigns")
                .then().statusCode(201).body("sampleSizePerArm", equalTo(1020)).body("holdoutExpected", equalTo(90))
                .body("campaign.state", equalTo("PLAN")).extract().jsonPath();
        String campaign = planned.getString("campaign.id");
        Campaigns.goLiveAt(campaign, START);
        given().get("/campaigns/{id}", campaign).then().statusCode(200).body("state", equalTo("LIVE"))
                .body("startAt", equalTo(START.toString()));

        // The SOP calls only treated members now (its 40 calls for the store's 400 scored members), for the campaign.
        // Awaited: the quota counts the store's scored members, and the low scores may still be arriving.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().queryParam("limit", 100)
                .get("/stores/{s}/call-list", store).then().statusCode(200).body("tasks.size()", equalTo(40)));
        var list = given().queryParam("limit", 100).get("/stores/{s}/call-list", store).then().statusCode(200)
                .extract().jsonPath();
        List<String> called = list.getList("tasks.memberId");
        assertThat(called).hasSize(40);
        assertThat(list.getList("tasks.campaignId", String.class)).containsOnly(campaign);
        assertThat(called).allMatch(m -> Assignment.of(campaign, m, 0.3, List.of()).arm() == Arm.TREATED);
        // No call made yet: nothing spent, so no return on it (REST null, not the string "NaN" generated clients
        // cannot parse as a number; gRPC says so in roi_defined).
        given().get("/campaigns/{id}/results", campaign).then().statusCode(200).body("cost", equalTo(0.0f))
                .body("$", hasKey("roi")).body("roi", nullValue());
        var early = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext()
                .intercept(AuthTestResource.as(AuthTestResource.analyst())).build();
        try {
            var results = CampaignServiceGrpc.newBlockingStub(early)
                    .getCampaignResults(GetCampaignResultsRequest.newBuilder().setCampaignId(campaign).build());
            assertThat(results.getRoiDefined()).isFalse();
            assertThat(results.getRoi()).isZero();
            // No interval either: absent, as REST's roiLow/roiHigh are null, and not significant.
            given().get("/campaigns/{id}/results", campaign).then().statusCode(200).body("roiLow", nullValue())
                    .body("roiHigh", nullValue()).body("roiSignificant", equalTo(false));
            assertThat(results.hasRoiLow()).isFalse();
            assertThat(results.hasRoiHigh()).isFalse();
            assertThat(results.getRoiSignificant()).isFalse();
        } finally {
            early.shutdownNow();
        }
        // Staff call during the campaign's window (the service's clock): a call after its end costs it nothing.
        int callsMade = 5;
        clock.set(START.plus(Duration.ofDays(1)));
        try {
            for (int i = 0; i < callsMade; i++) {
                given().contentType(ContentType.JSON).body("{\"reached\": true, \"result\": \"will_return\", \"version\": "
                        + list.getLong("tasks[" + i + "].version") + "}")
                        .post("/tasks/{id}/outcome", list.getString("tasks[" + i + "].taskId")).then().statusCode(200);
            }
        } finally {
            clock.reset();
        }

        // Treated members buy more often than held-out ones within the window; purchases outside it do not count.
        List<ProducerRecord<String, MemberEvent>> orders = new ArrayList<>();
        int treated = 0, holdout = 0;
        for (int i = 0; i < 300; i++) {
            String member = "m-" + run + "-" + i;
            String arm = given().get("/campaigns/{id}/members/{m}/assignment", campaign, member).then().statusCode(200)
                    .extract().path("arm");
            assertThat(arm).isEqualTo(Assignment.of(campaign, member, 0.3, List.of()).arm().name());
            // Segment A responds to the campaign, segment B buys as much as its holdout does.
            boolean buys = Arm.valueOf(arm) == Arm.TREATED && i < 150 ? i % 2 == 0 : i % 10 == 0;
            if (Arm.valueOf(arm) == Arm.TREATED) {
                treated++;
            } else {
                holdout++;
            }
            if (buys) {
                orders.add(order(member, run + "-o" + i, START.plus(Duration.ofDays(3)), 50));
                if (Arm.valueOf(arm) == Arm.TREATED && i < 20) {
                    // The app numbers its orders as the till does: another order, though its id is the same.
                    orders.add(order(member, run + "-o" + i, run + "-app-o" + i, Source.SOURCE_APP, START.plus(Duration.ofDays(4)), 50));
                }
            }
            orders.add(order(member, run + "-before" + i, START.minus(Duration.ofDays(3)), 999));
        }
        kafka.produce(String.class, MemberEvent.class).fromRecords(orders).awaitCompletion();
        int treatedMembers = treated;
        int holdoutMembers = holdout;

        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> given().get("/campaigns/{id}/results", campaign)
                .then().statusCode(200)
                .body("treated.members", equalTo(treatedMembers)).body("holdout.members", equalTo(holdoutMembers))
                .body("treated.averageOrderValue", equalTo(50.0f)) // the app's orders count apart from the till's
                .body("conversionUplift.value", greaterThan(0.1f))
                .body("conversionUplift.low", greaterThan(0.0f))
                // Calls cost what staff actually made: 5 outcomes at ¥6.
                .body("cost", equalTo(callsMade * 6.0f)));

        var channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext()
                .intercept(AuthTestResource.as(AuthTestResource.analyst())).build();
        try {
            var results = CampaignServiceGrpc.newBlockingStub(channel)
                    .getCampaignResults(GetCampaignResultsRequest.newBuilder().setCampaignId(campaign).build());
            assertThat(results.getTreated().getMembers()).isEqualTo(treatedMembers);
            assertThat(results.getUpliftCiLow()).isPositive();
            assertThat(results.getRoi()).isPositive();
            assertThat(results.getRoiDefined()).isTrue();
            assertThat(results.getUpliftDefined()).isTrue();
            // Live monitoring per store and the before/after review travel with the results.
            assertThat(results.getStoresList()).extracting(r -> r.getStoreId()).containsExactly(store);
            assertThat(results.getStores(0).getTreated().getMembers()).isEqualTo(treatedMembers);
            assertThat(results.getTreated().getParticipated()).isEqualTo(callsMade);
            assertThat(results.getReviewList()).extracting(m -> m.getName())
                    .containsExactly("active_rate", "repurchase_rate", "order_value", "response_rate");
            assertThat(results.getReview(0).getUplift()).isEqualTo(results.getUplift());
            // The ROI's 95% interval and whether it excludes 0, as REST answers them (same figures, to the last bit).
            var rest = Campaigns.results(campaign);
            assertThat(results.hasRoiLow()).isTrue();
            assertThat(results.hasRoiHigh()).isTrue();
            assertThat(results.getRoiLow()).isEqualTo(rest.getDouble("roiLow")).isLessThan(results.getRoi());
            assertThat(results.getRoiHigh()).isEqualTo(rest.getDouble("roiHigh")).isGreaterThan(results.getRoi());
            assertThat(results.getRoi()).isEqualTo(rest.getDouble("roi"));
            assertThat(results.getRoiSignificant()).isEqualTo(rest.getBoolean("roiSignificant"))
                    .isEqualTo(results.getRoiLow() > 0 || results.getRoiHigh() < 0);
            // The revenue uplift per member and its 95% interval, which the ROI's interval is built on, as REST's.
            assertThat(results.hasRevenuePerMemberUplift()).isTrue();
            assertThat(results.hasRevenuePerMemberUpliftCiLow()).isTrue();
            assertThat(results.hasRevenuePerMemberUpliftCiHigh()).isTrue();
            assertThat(results.getRevenuePerMemberUplift()).isEqualTo(rest.getDouble("revenuePerMemberUplift.value"))
                    .isPositive();
            assertThat(results.getRevenuePerMemberUpliftCiLow()).isEqualTo(rest.getDouble("revenuePerMemberUplift.low"))
                    .isLessThan(results.getRevenuePerMemberUplift());
            assertThat(results.getRevenuePerMemberUpliftCiHigh()).isEqualTo(rest.getDouble("revenuePerMemberUplift.high"))
                    .isGreaterThan(results.getRevenuePerMemberUplift());
            // The margin uplift the gain and the ROI's interval are built on, as REST's.
            assertThat(results.getMarginPerMemberUplift()).isEqualTo(rest.getDouble("marginPerMemberUplift.value"))
                    .isPositive().isLessThan(results.getRevenuePerMemberUplift());
            assertThat(results.getMarginPerMemberUpliftCiLow()).isEqualTo(rest.getDouble("marginPerMemberUplift.low"));
            assertThat(results.getMarginPerMemberUpliftCiHigh()).isEqualTo(rest.getDouble("marginPerMemberUplift.high"));
            // Each arm's revenue and margin per member, as REST's arms carry them (the uplifts are their differences).
            for (String arm : List.of("treated", "holdout")) {
                var grpcArm = arm.equals("treated") ? results.getTreated() : results.getHoldout();
                assertThat(grpcArm.hasRevenuePerMember()).as(arm).isTrue();
                assertThat(grpcArm.hasMarginPerMember()).as(arm).isTrue();
                assertThat(grpcArm.getRevenuePerMember()).as(arm).isEqualTo(rest.getDouble(arm + ".revenuePerMember"))
                        .isPositive();
                assertThat(grpcArm.getMarginPerMember()).as(arm).isEqualTo(rest.getDouble(arm + ".marginPerMember"))
                        .isPositive().isLessThan(grpcArm.getRevenuePerMember());
            }
            assertThat(results.getTreated().getRevenuePerMember() - results.getHoldout().getRevenuePerMember())
                    .isCloseTo(results.getRevenuePerMemberUplift(), org.assertj.core.api.Assertions.within(1e-9));
            // Not measured per store: absent there, not a 0 that reads as nothing bought.
            assertThat(results.getStores(0).getTreated().hasRevenuePerMember()).isFalse();
            assertThat(results.getStores(0).getTreated().hasMarginPerMember()).isFalse();
        } finally {
            channel.shutdownNow();
        }
        // The treatment moves segment A's treated members out of it (they bought again): next-targets still compares
        // A's arms as enrolled. By the segments now, A would hold only its holdout and its uplift could not be told.
        List<String> moved = targeted.subList(0, 150).stream()
                .filter(m -> Assignment.of(campaign, m, 0.3, List.of()).arm() == Arm.TREATED).toList();
        List<ProducerRecord<String, SegmentChanged>> moves = new ArrayList<>();
        for (String member : moved) {
            moves.add(segmentChange(member, "seg-a-" + run, SegmentChanged.Change.CHANGE_LEFT, START.plus(Duration.ofDays(5))));
            moves.add(segmentChange(member, "seg-c-" + run, SegmentChanged.Change.CHANGE_ENTERED, START.plus(Duration.ofDays(5))));
        }
        kafka.produce(String.class, SegmentChanged.class).fromRecords(moves).awaitCompletion();
        await().atMost(Duration.ofSeconds(30)).until(() -> memberSegments.memberships(moved, List.of("seg-a-" + run, "seg-c-" + run))
                .await().indefinitely().equals(moved.stream().map(m -> MemberSegmentRepository.key(m, "seg-c-" + run))
                        .collect(java.util.stream.Collectors.toSet())));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/campaigns/{id}/next-targets", campaign)
                .then().statusCode(200).body("segmentId", equalTo(List.of("seg-a-" + run, "seg-b-" + run)))
                .body("[0].uplift.value", greaterThan(0.2f))
                // Ranked by the net gain uplift's lower bound per cost; the conversion figures stay beside it.
                .body("[0].gainUplift.value", greaterThan(0f))
                .body("[0].gainUpliftLowPerCost", greaterThan(0f))
                .body("[0].upliftLowPerCost", greaterThan(0f)));
        given().contentType(ContentType.JSON).body("{\"state\": \"closed\"}").post("/campaigns/{id}/state", campaign)
                .then().statusCode(409).contentType("application/problem+json");
    }

    @Test
    void aCouponCostsOnceAndCountsForTheCampaignThatIssuedIt() {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        List<ChurnScored> scores = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            scores.add(scored("m-" + run + "-" + i, store, 0.8, 100, T1));
        }
        ChurnEvents.publish(kafka, scores);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().contentType(ContentType.JSON)
                .body(plan(store, 0.3)).post("/campaigns").then().statusCode(201).body("audience", equalTo(20)));
        String campaign = given().contentType(ContentType.JSON).body(plan(store, 0.3)).post("/campaigns")
                .then().statusCode(201).extract().path("campaign.id");
        Campaigns.goLiveAt(campaign, START);
        List<String> treated = scores.stream().map(ChurnScored::getMemberId)
                .filter(m -> Assignment.of(campaign, m, 0.3, List.of()).arm() == Arm.TREATED).toList();
        assertThat(treated).hasSizeGreaterThanOrEqualTo(2);
        Instant redeemed = START.plus(Duration.ofDays(2));
        String first = treated.get(0), second = treated.get(1);
        // Each member's events in order on the member's partition: another campaign's coupon comes first, so it has
        // been consumed by the time the awaited cost can be reached.
        MemberEvents.publish(kafka, List.of(
                // Another campaign's coupon is not this one's cost.
                MemberEvents.coupon(first, run + "-i3", true, run + "-z", "another-" + run, 10, START, store),
                MemberEvents.coupon(first, run + "-r3", false, run + "-z", "", 10, redeemed, store),
                MemberEvents.coupon(first, run + "-i1", true, run + "-x", campaign, 10, START, store),
                // One redemption, reported three times (a till's retry under new event ids): one coupon spent.
                MemberEvents.coupon(first, run + "-r1", false, run + "-x", campaign, 10, redeemed, store),
                MemberEvents.coupon(first, run + "-r1b", false, run + "-x", campaign, 10, redeemed, store),
                MemberEvents.coupon(first, run + "-r1c", false, run + "-x", campaign, 10, redeemed, store),
                // The till does not say which campaign; the coupon's issue does.
                MemberEvents.coupon(second, run + "-i2", true, run + "-y", campaign, 10, START, store),
                MemberEvents.coupon(second, run + "-r2", false, run + "-y", "", 10, redeemed, store),
                // After the window (read below once the clock has passed its end, the campaign left LIVE): it costs
                // nothing, as its orders count nothing.
                MemberEvents.coupon(second, run + "-i4", true, run + "-late", campaign, 10, START, store),
                MemberEvents.coupon(second, run + "-r4", false, run + "-late", campaign, 10, END.plus(Duration.ofDays(1)),
                        store)));
        // No call made yet: the cost is the two coupons at ¥10. Both redeemers responded (the second by the issue).
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/campaigns/{id}/results", campaign)
                .then().statusCode(200).body("cost", equalTo(20.0f)));
        // The late redemption was consumed (the last of its member's events) and still costs nothing once the
        // service's clock has passed the end, the campaign still LIVE (the background job has not run).
        await().atMost(Duration.ofSeconds(30)).until(() -> database.preparedQuery(
                "SELECT count(*) FROM member_purchase WHERE event_id = $1").execute(Tuple.of(run + "-r4")).await()
                .indefinitely().iterator().next().getLong(0) == 1);
        clock.set(END.plus(Duration.ofDays(2)));
        given().get("/campaigns/{id}", campaign).then().statusCode(200).body("state", equalTo("LIVE"));
        given().get("/campaigns/{id}/results", campaign).then().statusCode(200).body("cost", equalTo(20.0f));
        given().get("/campaigns/{id}/monitor", campaign).then().statusCode(200)
                .body("overall.treated.participated", equalTo(2));
    }

    @Test
    void anOrderLineRepublishedAsADuplicateOrderNoLongerCountsInTheResults() {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        List<ChurnScored> scores = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            scores.add(scored("m-" + run + "-" + i, store, 0.8, 100, T1));
        }
        ChurnEvents.publish(kafka, scores);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().contentType(ContentType.JSON)
                .body(plan(store, 0.3)).post("/campaigns").then().statusCode(201).body("audience", equalTo(40)));
        String campaign = given().contentType(ContentType.JSON).body(plan(store, 0.3)).post("/campaigns")
                .then().statusCode(201).extract().path("campaign.id");
        Campaigns.goLiveAt(campaign, START);
        List<String> members = scores.stream().map(ChurnScored::getMemberId).toList();
        String buyer = members.stream().filter(m -> Assignment.of(campaign, m, 0.3, List.of()).arm() == Arm.TREATED)
                .findFirst().orElseThrow();
        String heldOut = members.stream().filter(m -> Assignment.of(campaign, m, 0.3, List.of()).arm() == Arm.HOLDOUT)
                .findFirst().orElseThrow();
        Instant bought = START.plus(Duration.ofDays(3));
        // The till's copy of a delivery order, published as counted before identity-service paired the two reports.
        MemberEvent tillCopy = MemberEvents.orderLine(buyer, run + "-till", run + "-o1", bought, store, "sku", "dairy/milk", 1, 80);
        MemberEvents.publish(kafka, List.of(tillCopy,
                MemberEvents.orderLine(heldOut, run + "-h", run + "-o2", bought, store, "sku", "dairy/milk", 1, 50)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/campaigns/{id}/results", campaign)
                .then().statusCode(200).body("treated.converted", equalTo(1)).body("treated.averageOrderValue", equalTo(80.0f))
                .body("holdout.converted", equalTo(1)));

        // Taken back (delivered twice), after a duplicate_order of a line never stored: the usual case, it changes nothing.
        MemberEvent neverStored = MemberEvents.orderLine(buyer, run + "-never", run + "-o3", bought, store, "sku",
                "dairy/milk", 1, 999).toBuilder().setDuplicateOrder(true).build();
        MemberEvent retraction = tillCopy.toBuilder().setDuplicateOrder(true).build();
        MemberEvent flaggedOnArrival = MemberEvents.orderLine(buyer, run + "-arrival", run + "-o5", bought, store, "sku",
                "dairy/milk", 1, 777).toBuilder().setDuplicateOrder(true).setNeverCounted(true).build();
        MemberEvents.publish(kafka, List.of(neverStored, retraction, retraction, flaggedOnArrival));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/campaigns/{id}/results", campaign)
                .then().statusCode(200).body("treated.converted", equalTo(0)).body("treated.averageOrderValue", equalTo(0.0f))
                .body("holdout.converted", equalTo(1)).body("holdout.averageOrderValue", equalTo(50.0f)));

        // The first publication consumed again (a replay): still not counted. The order after it, on the same
        // partition, shows it was consumed.
        MemberEvents.publish(kafka, List.of(tillCopy, MemberEvents.orderLine(buyer, run + "-after", run + "-o4",
                bought.plus(Duration.ofDays(1)), store, "sku", "dairy/milk", 1, 20)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/campaigns/{id}/results", campaign)
                .then().statusCode(200).body("treated.converted", equalTo(1)).body("treated.averageOrderValue", equalTo(20.0f)));
        // Keys kept: those that may have been counted somewhere; not the line identity-service flagged on arrival.
        List<String> kept = new ArrayList<>();
        database.preparedQuery("SELECT event_id FROM retracted_line WHERE event_id LIKE $1 ORDER BY event_id")
                .execute(Tuple.of(run + "-%")).await().indefinitely().forEach(row -> kept.add(row.getString(0)));
        assertThat(kept).containsExactly(run + "-never", run + "-till");
    }

    /**
     * A member's arm is the one they were enrolled with: the hash gives every known member an arm, but a member of
     * another store, one below the target, or anyone before the campaign went live is in neither arm.
     */
    @Test
    void onlyAMemberEnrolledInACampaignHasAnArmInIt() {
        String run = ChurnEvents.run();
        String store = "ea-" + run;
        String enrolled = "in-" + run;
        String elsewhere = "other-store-" + run;
        String below = "below-" + run;
        ChurnEvents.publish(kafka, List.of(scored(enrolled, store, 0.9, 100, T1), scored(elsewhere, "eb-" + run, 0.9, 100, T1),
                scored(below, store, 0.3, 100, T1)));
        await().atMost(Duration.ofSeconds(30)).until(() -> database.preparedQuery(
                "SELECT count(*) FROM member_risk WHERE member_id = ANY($1)")
                .execute(Tuple.of(new String[] {enrolled, elsewhere, below})).await().indefinitely()
                .iterator().next().getLong(0) == 3);
        String campaign = given().contentType(ContentType.JSON).body("""
                {"name": "sms", "targetMinProbability": 0.5, "targetStoreId": "%s", "channel": "sms", "costPerTouch": 0.1,
                 "startAt": "%s", "endAt": "%s", "holdoutShare": 0.5}""".formatted(store, START, END))
                .post("/campaigns").then().statusCode(201).body("audience", equalTo(1)).extract().path("campaign.id");
        // Planned: nobody is enrolled yet.
        given().get("/campaigns/{id}/members/{m}/assignment", campaign, enrolled).then().statusCode(404)
                .contentType("application/problem+json").body("detail", startsWith("member " + enrolled + " is not in campaign"));
        Campaigns.goLiveAt(campaign, START);

        String arm = database.preparedQuery("SELECT arm FROM campaign_member WHERE campaign_id = $1 AND member_id = $2")
                .execute(Tuple.of(campaign, enrolled)).await().indefinitely().iterator().next().getString(0);
        assertThat(arm).isEqualTo(Assignment.of(campaign, enrolled, 0.5, List.of()).arm().name());
        given().get("/campaigns/{id}/members/{m}/assignment", campaign, enrolled).then().statusCode(200)
                .body("memberId", equalTo(enrolled)).body("arm", equalTo(arm));
        for (String notIn : List.of(elsewhere, below)) {
            given().get("/campaigns/{id}/members/{m}/assignment", campaign, notIn).then().statusCode(404)
                    .contentType("application/problem+json").body("detail", startsWith("member " + notIn + " is not in campaign"));
        }
        given().contentType(ContentType.JSON).body("{\"state\": \"review\"}").post("/campaigns/{id}/state", campaign)
                .then().statusCode(200);
    }

    /** One treated member and nobody held out: the touch was paid for, but no return is measured (not a return of 0). */
    @Test
    void aCampaignWithAnEmptyHoldoutClaimsNoReturn() {
        String run = ChurnEvents.run();
        String store = "eh-" + run;
        // The store becomes known through a member below the target; the campaign's one member comes after the plan,
        // chosen so that the hash treats them.
        Campaigns.knownStore(kafka, store, run);
        String campaign = Campaigns.planned("""
                {"name": "sms", "targetMinProbability": 0.5, "targetStoreId": "%s", "channel": "sms", "costPerTouch": 2,
                 "startAt": "%s", "endAt": "%s", "holdoutShare": 0.5}""".formatted(store, START, END));
        List<String> treated = Campaigns.members("t", run, 1,
                m -> Assignment.of(campaign, m, 0.5, List.of()).arm() == Arm.TREATED);
        Campaigns.scoredIn(kafka, database, store, treated);
        Campaigns.goLiveAt(campaign, START);

        given().get("/campaigns/{id}/results", campaign).then().statusCode(200)
                .body("treated.members", equalTo(1)).body("holdout.members", equalTo(0))
                .body("cost", equalTo(2.0f)).body("roi", nullValue());
        var channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext()
                .intercept(AuthTestResource.as(AuthTestResource.analyst())).build();
        try {
            var results = CampaignServiceGrpc.newBlockingStub(channel)
                    .getCampaignResults(GetCampaignResultsRequest.newBuilder().setCampaignId(campaign).build());
            assertThat(results.getCost()).isEqualTo(2.0);
            assertThat(results.getRoiDefined()).isFalse();
            assertThat(results.getUpliftDefined()).isFalse();
            // No holdout: no revenue uplift either (REST's null), absent rather than a 0 that reads as none.
            given().get("/campaigns/{id}/results", campaign).then().statusCode(200)
                    .body("revenuePerMemberUplift", hasKey("value")).body("revenuePerMemberUplift.value", nullValue());
            assertThat(results.hasRevenuePerMemberUplift()).isFalse();
            assertThat(results.hasRevenuePerMemberUpliftCiLow()).isFalse();
            assertThat(results.hasMarginPerMemberUplift()).isFalse();
            assertThat(results.hasMarginPerMemberUpliftCiLow()).isFalse();
        } finally {
            channel.shutdownNow();
        }
        given().contentType(ContentType.JSON).body("{\"state\": \"review\"}").post("/campaigns/{id}/state", campaign)
                .then().statusCode(200);
    }

    /** The reason a campaign ending at {@code end} is refused at {@code now}. */
    static String ended(Instant end, Instant now) {
        return end + " has passed (now " + now + "): a campaign whose window has ended cannot go live, as nothing it does"
                + " now would count within it";
    }

    /**
     * Going live once the campaign's window had ended (by the service's clock) was accepted, and the background job
     * moved the campaign to review within a minute: refused now, naming endAt, and the campaign stays planned with
     * nobody enrolled. A plan whose window has already ended is refused the same way: it could never go live.
     */
    @Test
    void aCampaignWhoseWindowHasEndedIsRefusedGoingLiveAndPlanning() {
        String run = ChurnEvents.run();
        String store = "ended-" + run;
        String member = "m-" + run;
        ChurnEvents.publish(kafka, List.of(scored(member, store, 0.9, 100, T1)));
        String campaign = Campaigns.planned(plan(store, 0.3));

        for (Instant now : List.of(END.plus(Duration.ofMinutes(1)), END)) {
            clock.set(now);
            given().contentType(ContentType.JSON).body("{\"state\": \"live\"}").post("/campaigns/{id}/state", campaign)
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("errors[0].field", equalTo("endAt")).body("errors[0].reason", equalTo(ended(END, now)))
                    .body("detail", equalTo("endAt: " + ended(END, now)));
            refusedPlan(plan(store, 0.3), "endAt", ended(END, now));
        }
        given().get("/campaigns/{id}", campaign).then().statusCode(200).body("state", equalTo("PLAN"));
        assertThat(database.preparedQuery("SELECT count(*) FROM campaign_member WHERE campaign_id = $1")
                .execute(Tuple.of(campaign)).await().indefinitely().iterator().next().getLong(0)).isZero();

        // Before its end it goes live as ever.
        clock.set(END.minus(Duration.ofMinutes(1)));
        given().contentType(ContentType.JSON).body("{\"state\": \"live\"}").post("/campaigns/{id}/state", campaign)
                .then().statusCode(200).body("state", equalTo("LIVE"));
        given().get("/campaigns/{id}/members/{m}/assignment", campaign, member).then().statusCode(200)
                .body("memberId", equalTo(member));
        clock.reset();
        given().contentType(ContentType.JSON).body("{\"state\": \"review\"}").post("/campaigns/{id}/state", campaign)
                .then().statusCode(200);
    }

    /**
     * A client retrying "live" after a success it did not see (a timeout) got 400 "a campaign in live cannot move to
     * live": the request was valid, so a retry now answers the campaign as the first did, unchanged (its start is the
     * first move's). A move that skips or goes back is a conflict with the campaign's state (409), not a bad request.
     */
    @Test
    void askingForTheStateACampaignIsInAnswersItAndAMoveAgainstItsStateIsAConflict() {
        String run = ChurnEvents.run();
        String store = "retry-" + run;
        ChurnEvents.publish(kafka, List.of(scored("m-" + run, store, 0.9, 100, T1)));
        String campaign = Campaigns.planned(plan(store, 0.3));
        given().contentType(ContentType.JSON).body("{\"state\": \"plan\"}").post("/campaigns/{id}/state", campaign)
                .then().statusCode(200).body("state", equalTo("PLAN"));
        String started = given().contentType(ContentType.JSON).body("{\"state\": \"live\"}")
                .post("/campaigns/{id}/state", campaign).then().statusCode(200).body("state", equalTo("LIVE"))
                .extract().path("startAt");

        // (the first answer carries the clock's nanoseconds; the stored start, read back, PostgreSQL's microseconds)
        String stored = given().get("/campaigns/{id}", campaign).then().statusCode(200).extract().path("startAt");
        assertThat(Duration.between(Instant.parse(started), Instant.parse(stored)).abs()).isLessThan(Duration.ofNanos(1_000));
        given().contentType(ContentType.JSON).body("{\"state\": \"live\"}").post("/campaigns/{id}/state", campaign)
                .then().statusCode(200).body("id", equalTo(campaign)).body("state", equalTo("LIVE"))
                .body("startAt", equalTo(stored));
        for (String conflicting : List.of("closed", "plan")) {
            given().contentType(ContentType.JSON).body("{\"state\": \"" + conflicting + "\"}")
                    .post("/campaigns/{id}/state", campaign).then().statusCode(409).contentType("application/problem+json")
                    .body("title", equalTo("Conflict"))
                    .body("detail", equalTo("state: a campaign in live cannot move to " + conflicting
                            + " (plan → live → review → closed, one step at a time)"));
        }
        given().contentType(ContentType.JSON).body("{\"state\": \"launched\"}").post("/campaigns/{id}/state", campaign)
                .then().statusCode(400).body("errors[0].field", equalTo("state"));
        given().get("/campaigns/{id}", campaign).then().statusCode(200).body("state", equalTo("LIVE"))
                .body("startAt", equalTo(stored));
        for (int asked = 0; asked < 2; asked++) {
            given().contentType(ContentType.JSON).body("{\"state\": \"review\"}").post("/campaigns/{id}/state", campaign)
                    .then().statusCode(200).body("state", equalTo("REVIEW"));
        }
    }

    static void refusedPlan(String body, String field, String reason) {
        given().contentType(ContentType.JSON).body(body).post("/campaigns").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo(field))
                .body("errors[0].reason", equalTo(reason)).body("detail", equalTo(field + ": " + reason));
    }

    @Test
    void badPlansAndUnknownCampaignsGetClearAnswers() {
        given().contentType(ContentType.JSON).body(plan("s", 0.0)).post("/campaigns")
                .then().statusCode(400).body("errors[0].field", equalTo("holdoutShare"));
        given().contentType(ContentType.JSON).body(plan("s", 0.1).replace("\"call\"", "\"fax\"")).post("/campaigns")
                .then().statusCode(400).body("errors[0].field", equalTo("channel"));
        given().contentType(ContentType.JSON).body(plan("s", 0.1).replace(START.toString(), "next monday")).post("/campaigns")
                .then().statusCode(400).body("errors[0].field", equalTo("startAt"));
        given().get("/campaigns/no-such-campaign/results").then().statusCode(404);
        // Text PostgreSQL cannot store (a NUL: a 500 before) or a caller cannot read, named as the body spells it.
        // (\\u0000 and \\u0007 are JSON escapes: a NUL and a bell in the string.)
        refusedPlan(plan("s", 0.1).replace("win-back calls", "win-back\\u0000calls"), "name",
                "must not contain control characters");
        refusedPlan(plan("s", 0.1).replace("we miss you", "we miss\\u0000you"), "content",
                "must not contain control characters other than tab and line breaks");
        refusedPlan(plan("s", 0.1).replace("we miss you", "x".repeat(4_001)), "content",
                "is 4001 characters long, at most 4000 are accepted");
        refusedPlan(plan("s", 0.1).replace("¥10 coupon", "¥10\\u0007coupon"), "offer", "must not contain control characters");
        refusedPlan(plan("s", 0.1).replace("\"holdoutShare\"", "\"variants\": [\"a\", \"b\\u0000\"], \"holdoutShare\""),
                "variants", "must not contain control characters");
        refusedPlan(plan("s\\u0000", 0.1), "targetStoreId", "must not contain control characters");
        refusedPlan(plan("s", 0.1).replace("\"targetMinProbability\": 0.7", "\"targetSegmentId\": \"churn-edge\\u0000\""),
                "targetSegmentId", "must not contain control characters");
        // 1e308 per touch made every review's cost Infinity
        refusedPlan(plan("s", 0.1).replace("\"couponValue\": 10", "\"costPerTouch\": 1e308"), "costPerTouch",
                "must be a finite amount within 0..10000000");
        // Years PostgreSQL cannot store (a 500 before), or that are typos stored as given.
        refusedPlan(plan("s", 0.1).replace(START.toString(), "-0001-01-01T00:00:00Z"), "startAt",
                "-0001-01-01T00:00:00Z is outside 1900-01-01T00:00:00Z..9999-12-31T23:59:59Z");
        refusedPlan(plan("s", 0.1).replace(END.toString(), "+20260-01-01T00:00:00Z"), "endAt",
                "+20260-01-01T00:00:00Z is outside 1900-01-01T00:00:00Z..9999-12-31T23:59:59Z");
        // 1e999 reads as Infinity: refused, not a campaign whose every review costs Infinity.
        given().contentType(ContentType.JSON).body(plan("s", 0.1).replace("\"couponValue\": 10", "\"costPerTouch\": 1e999"))
                .post("/campaigns").then().statusCode(400).body("errors[0].field", equalTo("costPerTouch"))
                .body("errors[0].reason", equalTo("must be a finite number, 0 or more"));
        given().contentType(ContentType.JSON).body(plan("s", 0.1).replace("\"couponValue\": 10", "\"couponValue\": \"NaN\""))
                .post("/campaigns").then().statusCode(400).body("errors[0].field", equalTo("couponValue"));
        // 1e-12 answered 201 with sampleSizePerArm 9223372036854775807 (a double cast to long); 1e-200 squared to 0.
        for (String tiny : List.of("1e-12", "1e-200", "0.0009")) {
            refusedPlan(plan("s", 0.1).replace("\"holdoutShare\"", "\"minimumUplift\": " + tiny + ", \"holdoutShare\""),
                    "minimumUplift", "must be at least 0.001 (a tenth of a percentage point), not "
                            + Double.parseDouble(tiny) + ": a smaller uplift needs more members per arm than a campaign can enrol");
        }
        // Misspelt fields are refused, not dropped: the plan would have targeted everyone at risk, with a 10% holdout.
        String misspelt = plan("s", 0.1).replace("\"targetMinProbability\": 0.7", "\"targetSegment\": \"churn-edge\"")
                .replace("\"holdoutShare\"", "\"holdout_share\"");
        given().contentType(ContentType.JSON).body(misspelt).post("/campaigns")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("targetSegment"))
                .body("errors[0].reason", startsWith("is not a known field (known: "))
                .body("errors[0].reason", containsString("targetSegmentId"));
        given().contentType(ContentType.JSON).body("{\"state\": \"live\", \"force\": true}").post("/campaigns/x/state")
                .then().statusCode(400).body("errors[0].field", equalTo("force"));
        given().contentType(ContentType.JSON).body("{\"state\": \"launched\"}").post("/campaigns/x/state")
                .then().statusCode(400).body("errors[0].field", equalTo("state"));
    }
}
