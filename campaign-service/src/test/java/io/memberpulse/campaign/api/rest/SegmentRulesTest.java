package io.memberpulse.campaign.api.rest;

import static io.memberpulse.campaign.testdata.ChurnEvents.T1;
import static io.memberpulse.campaign.testdata.ChurnEvents.scored;
import static io.memberpulse.campaign.testdata.SegmentEvents.change;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.memberpulse.campaign.WithKafkaCompanion;
import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.campaign.testdata.Campaigns;
import io.memberpulse.campaign.testdata.ChurnEvents;
import io.memberpulse.campaign.testdata.DeadLetters;
import io.memberpulse.campaign.testdata.MemberEvents;
import io.memberpulse.campaign.testdata.SegmentEvents;
import io.memberpulse.campaign.domain.experiment.Arm;
import io.memberpulse.campaign.domain.experiment.Assignment;
import io.memberpulse.proto.churn.v1.ChurnScored;
import io.memberpulse.proto.kafka.Topics;
import io.memberpulse.proto.segments.v1.SegmentChanged;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import io.memberpulse.campaign.RecordSegmentsService;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** rfm-service segments in campaign-service: campaign targets, the segment-entry SOP rule, bad input. */
@QuarkusTest
class SegmentRulesTest extends WithKafkaCompanion {
    static final Instant ENTERED = Instant.parse("2025-06-01T08:00:00Z");

    @Inject
    Pool database;

    @Inject
    RecordSegmentsService segments;

    /** The serdes of the payloads this test publishes or reads, beside ChurnScored's. */
    @BeforeEach
    void registerSerdes() {
        MemberEvents.register(kafka);
        SegmentEvents.register(kafka);
    }

    /** Ending far ahead: a campaign whose window has ended by the service's clock is neither planned nor goes live. */
    static String plan(String targetFields) {
        return """
                {"name": "segment calls", %s, "channel": "sms", "costPerTouch": 0.25,
                 "startAt": "2025-06-01T00:00:00Z", "endAt": "2099-07-01T00:00:00Z", "holdoutShare": 0.2}""".formatted(targetFields);
    }

    @Test
    void aCampaignTargetsAKnownSegmentAndUnknownSegmentsOrStoresAreRefusedWithAReason() {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        String segment = "loyal-vip-" + run;
        List<SegmentChanged> entries = new ArrayList<>();
        List<ChurnScored> scores = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            entries.add(change("m-" + run + "-" + i, segment, true, ENTERED, store));
            if (i < 4) {
                scores.add(scored("m-" + run + "-" + i, store, 0.9, 100, T1));
            }
        }
        // A member who entered and left is not in the segment any more.
        entries.add(change("m-" + run + "-gone", segment, true, ENTERED, store));
        entries.add(change("m-" + run + "-gone", segment, false, ENTERED.plus(Duration.ofDays(1)), store));
        SegmentEvents.publish(kafka, entries);
        ChurnEvents.publish(kafka, scores);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().contentType(ContentType.JSON)
                .body(plan("\"targetSegmentId\": \"" + segment + "\"")).post("/campaigns")
                .then().statusCode(201).body("audience", equalTo(10)).body("campaign.target.segmentId", equalTo(segment)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().contentType(ContentType.JSON)
                .body(plan("\"targetSegmentId\": \"" + segment + "\", \"targetMinProbability\": 0.8, \"targetStoreId\": \"" + store + "\""))
                .post("/campaigns").then().statusCode(201).body("audience", equalTo(4)));

        given().contentType(ContentType.JSON).body(plan("\"targetSegmentId\": \"no-such-segment-" + run + "\"")).post("/campaigns")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("targetSegmentId"))
                .body("errors[0].reason", startsWith("unknown segment 'no-such-segment-" + run + "'"));
        given().contentType(ContentType.JSON).body(plan("\"targetMinProbability\": 0.5, \"targetStoreId\": \"nowhere-" + run + "\""))
                .post("/campaigns").then().statusCode(400).body("errors[0].field", equalTo("targetStoreId"));
        given().contentType(ContentType.JSON).body(plan("\"targetMinProbability\": 0")).post("/campaigns")
                .then().statusCode(400).body("errors[0].field", equalTo("targetMinProbability"));
    }

    @Test
    void enteringChurnEdgeOpensOneCallInTheHomeStoreOfMostPurchasesAndLeavingItCancelsIt() {
        String run = ChurnEvents.run();
        String member = "edge-" + run;
        String home = "home-" + run;
        String reported = "reported-" + run;
        // Two orders in the home store within 90 days of the entry, one elsewhere: the call belongs to the home store.
        MemberEvents.publish(kafka, List.of(
                MemberEvents.orderLine(member, run + "-1", run + "-o1", ENTERED.minus(Duration.ofDays(40)), home, "a", "dairy/milk", 1, 10),
                MemberEvents.orderLine(member, run + "-2", run + "-o2", ENTERED.minus(Duration.ofDays(20)), home, "a", "dairy/milk", 1, 10),
                MemberEvents.orderLine(member, run + "-3", run + "-o3", ENTERED.minus(Duration.ofDays(10)), reported, "b", "bakery/bread", 1, 5)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/stores/{s}/call-list", home).then().statusCode(200));

        // rfm-service reports the entry twice (a redelivery): still one call.
        SegmentEvents.publish(kafka, List.of(change(member, "churn-edge", true, ENTERED, reported),
                change(member, "churn-edge", true, ENTERED, reported)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/stores/{s}/call-list", home).then()
                .statusCode(200).body("tasks.memberId", equalTo(List.of(member))));
        var task = database.preparedQuery("SELECT origin, due_at - created_at = interval '72 hours', status FROM call_task WHERE member_id = $1")
                .execute(Tuple.of(member)).await().indefinitely();
        assertThat(task.rowCount()).isEqualTo(1);
        var row = task.iterator().next();
        assertThat(row.getString(0)).isEqualTo("segment:churn-edge");
        assertThat(row.getBoolean(1)).isTrue();
        given().get("/stores/{s}/call-list", reported).then().statusCode(200).body("tasks.size()", equalTo(0));
        // Staff of another store cannot see the home store's calls.
        given().header("Authorization", "Bearer " + AuthTestResource.staff(reported)).get("/stores/{s}/call-list", home)
                .then().statusCode(404);
        given().header("Authorization", "Bearer " + AuthTestResource.staff(home)).get("/stores/{s}/call-list", home)
                .then().statusCode(200);

        // An exit older than the entry (out of order on the way) leaves the membership as it is, and the call too.
        try {
            VertxContextSupport.subscribeAndAwait(() -> segments.record(List.of(
                    change(member, "churn-edge", false, ENTERED.minus(Duration.ofDays(1)), reported))));
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
        assertThat(openCalls(member)).hasSize(1);
        given().get("/stores/{s}/call-list", home).then().statusCode(200).body("tasks.memberId", equalTo(List.of(member)));

        SegmentEvents.publish(kafka, List.of(change(member, "churn-edge", false, ENTERED.plus(Duration.ofDays(3)), reported)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/stores/{s}/call-list", home).then()
                .statusCode(200).body("tasks.size()", equalTo(0)));
        assertThat(database.preparedQuery("SELECT close_reason FROM call_task WHERE member_id = $1").execute(Tuple.of(member))
                .await().indefinitely().iterator().next().getString(0)).isEqualTo("left the segment");
    }

    /**
     * The home store counts purchases as conversions and the staff card do (rfm-service's Orders.isPurchase): two
     * orders refunded in full in one store are none, so the one order that stands elsewhere decides.
     */
    @Test
    void theHomeStoreSkipsOrdersRefundedInFull() {
        String run = ChurnEvents.run();
        String member = "refunder-" + run;
        String returned = "returned-" + run;
        String kept = "kept-" + run;
        MemberEvents.publish(kafka, List.of(
                MemberEvents.orderLine(member, run + "-1", run + "-o1", ENTERED.minus(Duration.ofDays(40)), returned, "a", "dairy/milk", 1, 10),
                MemberEvents.refund(member, run + "-1r", run + "-o1", ENTERED.minus(Duration.ofDays(39)), returned, 10),
                MemberEvents.orderLine(member, run + "-2", run + "-o2", ENTERED.minus(Duration.ofDays(20)), returned, "a", "dairy/milk", 1, 10),
                MemberEvents.refund(member, run + "-2r", run + "-o2", ENTERED.minus(Duration.ofDays(19)), returned, 10),
                MemberEvents.orderLine(member, run + "-3", run + "-o3", ENTERED.minus(Duration.ofDays(10)), kept, "b", "bakery/bread", 1, 5)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(database.preparedQuery(
                "SELECT count(*) FROM member_purchase WHERE member_id = $1").execute(Tuple.of(member)).await().indefinitely()
                .iterator().next().getLong(0)).isEqualTo(5));

        SegmentEvents.publish(kafka, List.of(change(member, "churn-edge", true, ENTERED, "reported-" + run)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(openCalls(member)).hasSize(1));
        assertThat(database.preparedQuery("SELECT store_id FROM call_task WHERE member_id = $1 AND status = 'OPEN'")
                .execute(Tuple.of(member)).await().indefinitely().iterator().next().getString(0)).isEqualTo(kept);
    }

    /**
     * A churn-edge call in one store once made the whole churn.scores batch dead-letter: the SOP of the store the
     * member is scored in picked them too, and a second OPEN task broke the one-per-member index.
     */
    @Test
    void aMemberWithACallInAnotherStoreIsSkippedByTheSopAndTheRestOfTheScoresArePlanned() {
        String run = ChurnEvents.run();
        String x = "x-" + run;
        String y = "y-" + run;
        String a = "a-" + run;
        String b = "b-" + run;
        ConsumerTask<String, byte[]> deadLetters = kafka.consume(String.class, byte[].class)
                .fromTopics(Topics.deadLetter(Topics.CHURN_SCORES));
        // One order in each store: a tie, which campaign-service gives to the latest order's store (b) and
        // churn-service to the alphabetically first (a).
        MemberEvents.publish(kafka, List.of(
                MemberEvents.orderLine(x, run + "-1", run + "-o1", ENTERED.minus(Duration.ofDays(20)), a, "s", "dairy/milk", 1, 10),
                MemberEvents.orderLine(x, run + "-2", run + "-o2", ENTERED.minus(Duration.ofDays(10)), b, "s", "dairy/milk", 1, 10)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/stores/{s}/call-list", b).then().statusCode(200));
        SegmentEvents.publish(kafka, List.of(change(x, "churn-edge", true, ENTERED, a)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/stores/{s}/call-list", b).then()
                .statusCode(200).body("tasks.memberId", equalTo(List.of(x))));

        // x is the riskiest member of store a: a's one call goes to y instead, and both scores are stored.
        ChurnEvents.publish(kafka, List.of(scored(x, a, 0.9, 20, T1), scored(y, a, 0.6, 20, T1)));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            given().get("/stores/{s}/call-list", a).then().statusCode(200).body("tasks.memberId", equalTo(List.of(y)));
            assertThat(database.preparedQuery("SELECT count(*) FROM member_risk WHERE member_id = ANY($1)")
                    .execute(Tuple.of(new String[] {x, y})).await().indefinitely().iterator().next().getLong(0)).isEqualTo(2);
        });
        List<String> open = new ArrayList<>();
        database.preparedQuery("SELECT store_id FROM call_task WHERE member_id = $1 AND status = 'OPEN'").execute(Tuple.of(x))
                .await().indefinitely().forEach(row -> open.add(row.getString(0)));
        assertThat(open).containsExactly(b);
        assertThat(deadLetters.getRecords()).noneMatch(record -> x.equals(record.key()) || y.equals(record.key()));
        deadLetters.stop();
    }

    /**
     * A member holding a churn call entered churn-edge, so the segment's rule opened no second call; when their risk
     * fell the churn rule cancelled that call ("risk fell") and the segment's call was never made. Now the segment's
     * rule takes it over: the same OPEN task (id, version, the due time staff see) with the segment's origin, which
     * leaving the segment cancels as any call of that rule.
     */
    @Test
    void aChurnCallDroppedWhileTheMemberIsInChurnEdgeBecomesTheSegmentsCallUntilTheyLeave() {
        String run = ChurnEvents.run();
        String member = "handed-" + run;
        String store = "handover-" + run;
        ConsumerTask<String, byte[]> scoreDeadLetters = kafka.consume(String.class, byte[].class)
                .fromTopics(Topics.deadLetter(Topics.CHURN_SCORES));
        ConsumerTask<String, byte[]> segmentDeadLetters = kafka.consume(String.class, byte[].class)
                .fromTopics(Topics.deadLetter(Topics.MEMBER_SEGMENTS));
        ChurnEvents.publish(kafka, List.of(scored(member, store, 0.9, 100, T1)));
        await().atMost(Duration.ofSeconds(30)).until(() -> openCalls(member).size() == 1);
        var churnCall = database.preparedQuery("SELECT id, origin, due_at, version FROM call_task WHERE member_id = $1")
                .execute(Tuple.of(member)).await().indefinitely().iterator().next();
        assertThat(churnCall.getString(1)).isEqualTo("churn-top-share");

        // Entering churn-edge opens no second call: the member holds one.
        SegmentEvents.publish(kafka, List.of(change(member, "churn-edge", true, ENTERED, store)));
        await().atMost(Duration.ofSeconds(30)).until(() -> countOf(
                "SELECT count(*) FROM member_segment WHERE member_id = ANY($1) AND segment_id = 'churn-edge'", List.of(member)) == 1);
        assertThat(openCalls(member)).containsExactly(churnCall.getString(0));

        // The risk falls under the SOP's floor: the store's replan drops its call, and churn-edge's rule keeps it.
        ChurnEvents.publish(kafka, List.of(scored(member, store, 0.3, 100, T1.plus(Duration.ofDays(1)))));
        await().atMost(Duration.ofSeconds(30)).until(() -> countOf(
                "SELECT count(*) FROM member_risk WHERE member_id = ANY($1) AND probability = 0.3", List.of(member)) == 1);
        var tasks = database.preparedQuery("""
                SELECT id, origin, status, close_reason, due_at, version, probability FROM call_task WHERE member_id = $1""")
                .execute(Tuple.of(member)).await().indefinitely();
        assertThat(tasks.rowCount()).isEqualTo(1);
        var handedOver = tasks.iterator().next();
        assertThat(handedOver.getString(0)).isEqualTo(churnCall.getString(0));
        assertThat(handedOver.getString(1)).isEqualTo("segment:churn-edge");
        assertThat(handedOver.getString(2)).isEqualTo("OPEN");
        assertThat(handedOver.getString(3)).isNull();
        // The call was on the list since before the entry: the due time staff have stays, and so does the version
        // they hold (an outcome sent for it is still accepted).
        assertThat(handedOver.getOffsetDateTime(4)).isEqualTo(churnCall.getOffsetDateTime(2));
        assertThat(handedOver.getLong(5)).isEqualTo(churnCall.getLong(3));
        assertThat(handedOver.getDouble(6)).isEqualTo(0.3);
        given().get("/stores/{s}/call-list", store).then().statusCode(200)
                .body("tasks.taskId", equalTo(List.of(churnCall.getString(0))))
                .body("tasks[0].churnProbability", equalTo(0.3f));

        // Leaving the segment cancels the call, as for any call of the segment's rule.
        SegmentEvents.publish(kafka, List.of(change(member, "churn-edge", false, ENTERED.plus(Duration.ofDays(3)), store)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/stores/{s}/call-list", store).then()
                .statusCode(200).body("tasks.size()", equalTo(0)));
        var closed = database.preparedQuery("SELECT id, status, close_reason FROM call_task WHERE member_id = $1")
                .execute(Tuple.of(member)).await().indefinitely();
        assertThat(closed.rowCount()).isEqualTo(1);
        var row = closed.iterator().next();
        assertThat(row.getString(0)).isEqualTo(churnCall.getString(0));
        assertThat(row.getString(1)).isEqualTo("CANCELLED");
        assertThat(row.getString(2)).isEqualTo("left the segment");
        assertThat(DeadLetters.deadLetter(scoreDeadLetters, member)).isEmpty();
        assertThat(DeadLetters.deadLetter(segmentDeadLetters, member)).isEmpty();
        scoreDeadLetters.stop();
        segmentDeadLetters.stop();
    }

    /**
     * A member in two calling rules' segments holds one call, opened by the first entry. Leaving that segment once
     * cancelled it, and the other rule's call was never made; now the other rule takes it over, due within its own time.
     */
    @Test
    void leavingOneCallingSegmentHandsTheCallToTheOtherTheMemberIsStillIn() {
        String run = ChurnEvents.run();
        String member = "twice-" + run;
        String store = "twice-store-" + run;
        SegmentEvents.publish(kafka, List.of(change(member, "churn-edge", true, ENTERED, store)));
        await().atMost(Duration.ofSeconds(30)).until(() -> openCalls(member).size() == 1);
        String call = openCalls(member).get(0);
        SegmentEvents.publish(kafka, List.of(change(member, "second-call", true, ENTERED.plus(Duration.ofHours(1)), store)));
        await().atMost(Duration.ofSeconds(30)).until(() -> countOf(
                "SELECT count(*) FROM member_segment WHERE member_id = ANY($1) AND segment_id = 'second-call'", List.of(member)) == 1);
        assertThat(openCalls(member)).containsExactly(call);

        SegmentEvents.publish(kafka, List.of(change(member, "churn-edge", false, ENTERED.plus(Duration.ofDays(2)), store)));
        await().atMost(Duration.ofSeconds(30)).until(() -> countOf(
                "SELECT count(*) FROM member_segment WHERE member_id = ANY($1)", List.of(member)) == 1);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            var row = database.preparedQuery("""
                    SELECT id, status, origin, due_at - created_at = interval '24 hours' FROM call_task WHERE member_id = $1""")
                    .execute(Tuple.of(member)).await().indefinitely().iterator().next();
            assertThat(row.getString(0)).isEqualTo(call);
            assertThat(row.getString(1)).isEqualTo("OPEN");
            assertThat(row.getString(2)).isEqualTo("segment:second-call");
            assertThat(row.getBoolean(3)).as("due within the second rule's 24 hours").isTrue();
        });
        given().get("/stores/{s}/call-list", store).then().statusCode(200).body("tasks.taskId", equalTo(List.of(call)));

        SegmentEvents.publish(kafka, List.of(change(member, "second-call", false, ENTERED.plus(Duration.ofDays(3)), store)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/stores/{s}/call-list", store).then()
                .statusCode(200).body("tasks.size()", equalTo(0)));
        assertThat(database.preparedQuery("SELECT close_reason FROM call_task WHERE member_id = $1")
                .execute(Tuple.of(member)).await().indefinitely().iterator().next().getString(0)).isEqualTo("left the segment");
    }

    /** A scored member's segment call goes to the store the SOP plans them in, not to the one of most orders. */
    @Test
    void enteringChurnEdgeOpensTheCallInTheStoreTheMemberIsScoredIn() {
        String run = ChurnEvents.run();
        String member = "scored-" + run;
        String scoredIn = "scored-in-" + run;
        String ordersIn = "orders-in-" + run;
        MemberEvents.publish(kafka, List.of(
                MemberEvents.orderLine(member, run + "-1", run + "-o1", ENTERED.minus(Duration.ofDays(20)), ordersIn, "s", "dairy/milk", 1, 10),
                MemberEvents.orderLine(member, run + "-2", run + "-o2", ENTERED.minus(Duration.ofDays(10)), ordersIn, "s", "dairy/milk", 1, 10)));
        // Under the probability floor: no SOP call of its own.
        ChurnEvents.publish(kafka, List.of(scored(member, scoredIn, 0.3, 20, T1)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            given().get("/stores/{s}/call-list", ordersIn).then().statusCode(200);
            given().get("/stores/{s}/call-list", scoredIn).then().statusCode(200);
        });

        SegmentEvents.publish(kafka, List.of(change(member, "churn-edge", true, ENTERED, ordersIn)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/stores/{s}/call-list", scoredIn).then()
                .statusCode(200).body("tasks.memberId", equalTo(List.of(member))));
        given().get("/stores/{s}/call-list", ordersIn).then().statusCode(200).body("tasks.size()", equalTo(0));
    }

    /** A held-out member is never called, whichever SOP rule opened the call (README, the holdout). */
    @Test
    void heldOutMembersLoseTheirChurnEdgeCallsWhenACallCampaignGoesLive() {
        String run = ChurnEvents.run();
        String store = "h-" + run;
        List<SegmentChanged> entries = new ArrayList<>();
        List<ChurnScored> scores = new ArrayList<>();
        List<String> members = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String member = "hm-" + run + "-" + i;
            members.add(member);
            entries.add(change(member, "churn-edge", true, ENTERED, store));
            scores.add(scored(member, store, 0.6, 50, T1));
        }
        SegmentEvents.publish(kafka, entries);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(database.preparedQuery(
                "SELECT count(*) FROM call_task WHERE store_id = $1 AND status = 'OPEN'").execute(Tuple.of(store)).await()
                .indefinitely().iterator().next().getLong(0)).isEqualTo(20));
        ChurnEvents.publish(kafka, scores);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(database.preparedQuery(
                "SELECT count(*) FROM member_risk WHERE store_id = $1").execute(Tuple.of(store)).await().indefinitely()
                .iterator().next().getLong(0)).isEqualTo(20));

        // Ending far ahead, as plan(): a campaign whose window has ended cannot go live.
        String plan = """
                {"name": "calls", "targetMinProbability": 0.5, "targetStoreId": "%s", "channel": "call",
                 "startAt": "2025-06-01T00:00:00Z", "endAt": "2099-07-01T00:00:00Z", "holdoutShare": 0.5}""".formatted(store);
        String campaign = given().contentType(ContentType.JSON).body(plan).post("/campaigns").then().statusCode(201)
                .extract().path("campaign.id");
        Campaigns.goLive(campaign);

        List<String> heldOut = members.stream()
                .filter(m -> Assignment.of(campaign, m, 0.5, List.of()).arm() == Arm.HOLDOUT).toList();
        assertThat(heldOut).isNotEmpty();
        List<String> called = given().queryParam("limit", 100).get("/stores/{s}/call-list", store).then().statusCode(200)
                .extract().jsonPath().getList("tasks.memberId", String.class);
        assertThat(called).doesNotContainAnyElementsOf(heldOut)
                .containsExactlyInAnyOrderElementsOf(members.stream().filter(m -> !heldOut.contains(m)).toList());
        List<String> reasons = new ArrayList<>();
        database.preparedQuery("SELECT close_reason FROM call_task WHERE member_id = ANY($1)")
                .execute(Tuple.of(heldOut.toArray(String[]::new))).await().indefinitely()
                .forEach(row -> reasons.add(row.getString(0)));
        assertThat(reasons).hasSize(heldOut.size()).containsOnly("held out by a live call campaign");
    }

    /**
     * The segment rule opened calls without the store's planning lock, so a batch of churn-edge entries and the
     * replans of the same store, both opening calls for the same members, broke the one-OPEN-task index in one of
     * them or deadlocked on the same tasks; the batch was retried, and one that kept meeting replans (here the
     * store's scores move on all the while, so the SOP keeps calling others) was dead-lettered whole. Every such
     * refused statement is logged by Hibernate: none may be.
     */
    @Test
    void churnEdgeEntriesWhileTheSameStoreIsReplannedAllSucceedWithOneCallPerMember() throws Exception {
        RefusedStatements refused = new RefusedStatements();
        Logger hibernateErrors = Logger.getLogger(RefusedStatements.CATEGORY);
        hibernateErrors.addHandler(refused);
        try {
            replanWhileEnteringChurnEdge();
        } finally {
            hibernateErrors.removeHandler(refused);
        }
        assertThat(refused.messages).isEmpty();
    }

    /** What PostgreSQL refused for the one-OPEN-task index or as a deadlock, as Hibernate logs it. */
    static final class RefusedStatements extends Handler {
        static final String CATEGORY = "org.hibernate.orm.jdbc.error";
        final List<String> messages = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void publish(LogRecord record) {
            String message = record.getMessage();
            if (message != null && (message.contains("call_task_one_open_per_member") || message.contains("deadlock detected"))) {
                messages.add(message);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    private void replanWhileEnteringChurnEdge() throws InterruptedException {
        String run = ChurnEvents.run();
        String store = "race-" + run;
        List<String> members = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            members.add("race-" + run + "-" + i);
        }
        ConsumerTask<String, byte[]> segmentDeadLetters = kafka.consume(String.class, byte[].class)
                .fromTopics(Topics.deadLetter(Topics.MEMBER_SEGMENTS));
        ConsumerTask<String, byte[]> scoreDeadLetters = kafka.consume(String.class, byte[].class)
                .fromTopics(Topics.deadLetter(Topics.CHURN_SCORES));
        ChurnEvents.publish(kafka, scores(members, store, 0));
        await().atMost(Duration.ofSeconds(30)).until(() -> countOf(
                "SELECT count(*) FROM member_risk WHERE member_id = ANY($1)", members) == members.size());

        // The store's scores keep moving (the SOP's top share rotates) while everyone enters churn-edge.
        int rounds = 100;
        Thread rescoring = new Thread(() -> {
            for (int round = 1; round <= rounds; round++) {
                ChurnEvents.publish(kafka, scores(members, store, round));
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        rescoring.start();
        Thread.sleep(1000);
        SegmentEvents.publish(kafka, members.stream().map(m -> change(m, "churn-edge", true, ENTERED, store)).toList());
        rescoring.join();

        // Then the scores settle and everyone enters once more: each member's one call is the SOP's or the rule's.
        Instant last = T1.plus(Duration.ofMinutes(rounds + 1));
        ChurnEvents.publish(kafka, members.stream().map(m -> scored(m, store, 0.9, 100, last)).toList());
        await().atMost(Duration.ofSeconds(120)).until(() -> countOf(
                "SELECT count(*) FROM member_risk WHERE member_id = ANY($1) AND probability = 0.9", members) == members.size());
        String done = "race-done-" + run;
        List<SegmentChanged> finalEntries = new ArrayList<>();
        members.forEach(m -> {
            finalEntries.add(change(m, "churn-edge", true, ENTERED.plus(Duration.ofDays(1)), store));
            finalEntries.add(change(m, done, true, ENTERED.plus(Duration.ofDays(1)), store));
        });
        SegmentEvents.publish(kafka, finalEntries);
        // A member's changes are processed in order (one partition): once its marker is in, all of them are.
        await().atMost(Duration.ofSeconds(120)).until(() -> countOf(
                "SELECT count(*) FROM member_segment WHERE member_id = ANY($1) AND segment_id = '" + done + "'", members)
                == members.size());

        assertThat(segmentDeadLetters.getRecords()).noneMatch(record -> members.contains(record.key()));
        assertThat(scoreDeadLetters.getRecords()).noneMatch(record -> members.contains(record.key()));
        // Awaited: a batch's memberships commit before the calls its churn-edge entries open, in a transaction of their own.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<String> called = new ArrayList<>();
            database.preparedQuery("SELECT member_id FROM call_task WHERE member_id = ANY($1) AND status = 'OPEN'")
                    .execute(Tuple.of(members.toArray(String[]::new))).await().indefinitely()
                    .forEach(row -> called.add(row.getString(0)));
            assertThat(called).containsExactlyInAnyOrderElementsOf(members);
        });
        segmentDeadLetters.stop();
        scoreDeadLetters.stop();
    }

    /**
     * The same race made certain: the test plays a replan of the member's store that has opened their call and not
     * committed yet, holding the store's planning lock as every replan does. The churn-edge entry went ahead without
     * that lock, so its own call for the member waited for the replan's uncommitted one and then broke the
     * one-OPEN-task index (its batch failed and was retried). Now it waits for the lock, then finds the replan's call
     * and opens none.
     */
    @Test
    void aChurnEdgeEntryWaitsForTheReplanOfItsStoreInProgressAndKeepsTheCallItOpened() {
        String run = ChurnEvents.run();
        String store = "lock-" + run;
        String member = "locked-" + run;
        // Under the SOP's probability floor: the store's own replans call nobody.
        ChurnEvents.publish(kafka, List.of(scored(member, store, 0.3, 20, T1)));
        await().atMost(Duration.ofSeconds(30)).until(() -> countOf("SELECT count(*) FROM member_risk WHERE member_id = ANY($1)",
                List.of(member)) == 1);
        ConsumerTask<String, byte[]> deadLetters = kafka.consume(String.class, byte[].class)
                .fromTopics(Topics.deadLetter(Topics.MEMBER_SEGMENTS));
        String replansCall = UUID.randomUUID().toString();

        SqlConnection replan = database.getConnection().await().indefinitely();
        try {
            Transaction transaction = replan.begin().await().indefinitely();
            int pid = replan.query("SELECT pg_backend_pid()").execute().await().indefinitely().iterator().next().getInteger(0);
            replan.preparedQuery("SELECT count(*) FROM (SELECT pg_advisory_xact_lock(hashtext($1))) locked")
                    .execute(Tuple.of("call-list:" + store)).await().indefinitely();
            replan.preparedQuery("""
                    INSERT INTO call_task (id, member_id, store_id, probability, member_value, value_at_risk, status,
                                           created_at, due_at, origin)
                    VALUES ($1, $2, $3, 0.3, 20, 6, 'OPEN', now(), now() + interval '72 hours', 'churn-top-share')""")
                    .execute(Tuple.of(replansCall, member, store)).await().indefinitely();

            SegmentEvents.publish(kafka, List.of(change(member, "churn-edge", true, ENTERED, store)));
            await().atMost(Duration.ofSeconds(30)).until(() -> !heldUpBy(pid, store).isEmpty());
            assertThat(heldUpBy(pid, store)).containsOnly("the planning lock of " + store);
            transaction.commit().await().indefinitely();
        } finally {
            replan.close().await().indefinitely();
        }

        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(30)).until(() -> openCalls(member)
                .equals(List.of(replansCall)));
        assertThat(deadLetters.getRecords()).noneMatch(record -> member.equals(record.key()));
        deadLetters.stop();
    }

    /** What the transactions the backend holds up wait for: a store's planning lock, or the lock type. */
    private List<String> heldUpBy(int pid, String store) {
        List<String> waits = new ArrayList<>();
        database.preparedQuery("""
                SELECT CASE WHEN l.locktype = 'advisory' AND l.objsubid = 1
                              AND (l.classid::bigint << 32) + l.objid::bigint = hashtext($2)::bigint
                            THEN 'the planning lock of ' || $3 ELSE l.locktype END
                FROM pg_locks l WHERE NOT l.granted AND $1 = ANY(pg_blocking_pids(l.pid))""")
                .execute(Tuple.of(pid, "call-list:" + store, store)).await().indefinitely()
                .forEach(row -> waits.add(row.getString(0)));
        return waits;
    }

    private List<String> openCalls(String member) {
        List<String> ids = new ArrayList<>();
        database.preparedQuery("SELECT id FROM call_task WHERE member_id = $1 AND status = 'OPEN'").execute(Tuple.of(member))
                .await().indefinitely().forEach(row -> ids.add(row.getString(0)));
        return ids;
    }

    /** Round r's scores: each round other members are the riskiest, all above the SOP's floor. */
    private static List<ChurnScored> scores(List<String> members, String store, int round) {
        List<ChurnScored> scores = new ArrayList<>();
        for (int m = 0; m < members.size(); m++) {
            double probability = 0.5 + 0.49 * ((m * 7 + round * 11) % members.size()) / members.size();
            scores.add(scored(members.get(m), store, probability, 100, T1.plus(Duration.ofMinutes(round))));
        }
        return scores;
    }

    private long countOf(String sql, List<String> members) {
        return database.preparedQuery(sql).execute(Tuple.of(members.toArray(String[]::new))).await().indefinitely()
                .iterator().next().getLong(0);
    }

    /** A store named only by member.segments (no order, no score there yet) is a known store with calls. */
    @Test
    void aStoreKnownOnlyFromASegmentChangeListsItsCalls() {
        String run = ChurnEvents.run();
        String member = "new-" + run;
        String store = "reported-only-" + run;
        SegmentEvents.publish(kafka, List.of(change(member, "churn-edge", true, ENTERED, store)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/stores/{s}/call-list", store).then()
                .statusCode(200).body("tasks.memberId", equalTo(List.of(member))));
    }

    /**
     * A member entering a calling segment before churn-service scored them: their risk and value are unknown, not 0
     * ("churn risk 0%", "value at risk ¥0" told staff the call hardly mattered). Absent over REST and gRPC, no risk
     * talking points; the member's first score fills them in.
     */
    @Test
    void anUnscoredMembersCallShowsNoRiskUntilTheirFirstScore() {
        String run = ChurnEvents.run();
        String member = "unscored-" + run;
        String store = "unscored-store-" + run;
        SegmentEvents.publish(kafka, List.of(change(member, "churn-edge", true, ENTERED, store)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/stores/{s}/call-list", store).then()
                .statusCode(200).body("tasks.memberId", equalTo(List.of(member))));
        var entry = given().get("/stores/{s}/call-list", store).then().statusCode(200).extract().jsonPath();
        Map<String, Object> task = entry.getMap("tasks[0]");
        assertThat(task).containsEntry("churnProbability", null).containsEntry("memberValue", null)
                .containsEntry("valueAtRisk", null);
        assertThat(entry.getList("tasks[0].talkingPoints", String.class)).isNotEmpty()
                .noneMatch(point -> point.startsWith("churn risk") || point.startsWith("value at risk")
                        || point.startsWith("90-day spend"));
        var channel = io.grpc.ManagedChannelBuilder.forAddress("localhost", io.restassured.RestAssured.port).usePlaintext()
                .intercept(io.memberpulse.devstack.testing.AuthTestResource.as(
                        io.memberpulse.devstack.testing.AuthTestResource.analyst())).build();
        try {
            var grpcTask = io.memberpulse.proto.campaign.v1.CampaignServiceGrpc.newBlockingStub(channel)
                    .getCallList(io.memberpulse.proto.campaign.v1.GetCallListRequest.newBuilder().setStoreId(store).build())
                    .getTasks(0);
            assertThat(grpcTask.hasChurnProbability()).isFalse();
            assertThat(grpcTask.hasMemberValue()).isFalse();
            assertThat(grpcTask.hasValueAtRisk()).isFalse();
        } finally {
            channel.shutdownNow();
        }

        ChurnEvents.publish(kafka, List.of(scored(member, store, 0.8, 500, T1)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/stores/{s}/call-list", store).then()
                .statusCode(200).body("tasks[0].churnProbability", equalTo(0.8f))
                .body("tasks[0].valueAtRisk", equalTo(400.0f))
                .body("tasks[0].talkingPoints", org.hamcrest.Matchers.hasItem("churn risk 80%")));
    }

    @Test
    void unknownMembersAreRefusedWithAReason() {
        String campaign = given().contentType(ContentType.JSON).body(plan("\"targetMinProbability\": 0.5")).post("/campaigns")
                .then().statusCode(201).extract().path("campaign.id");
        given().get("/campaigns/{id}/members/{m}/assignment", campaign, "nobody-" + ChurnEvents.run())
                .then().statusCode(404).contentType("application/problem+json").body("detail", startsWith("no member nobody-"));
    }
}
