package io.memberpulse.campaign.api.rest;

import static io.memberpulse.campaign.testdata.ChurnEvents.T1;
import static io.memberpulse.campaign.testdata.ChurnEvents.scored;
import static io.memberpulse.campaign.testdata.SegmentEvents.change;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.campaign.testdata.ChurnEvents;
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
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** rfm-service segments in campaign-service: campaign targets, the segment-entry SOP rule, bad input. */
@QuarkusTest
class SegmentRulesTest {
    static final Instant ENTERED = Instant.parse("2025-06-01T08:00:00Z");

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    Pool database;

    KafkaCompanion kafka;

    @BeforeEach
    void connect() {
        kafka = ChurnEvents.companion(bootstrapServers);
        MemberEvents.register(kafka);
        SegmentEvents.register(kafka);
    }

    @AfterEach
    void close() {
        kafka.close();
    }

    static String plan(String targetFields) {
        return """
                {"name": "segment calls", %s, "channel": "sms", "costPerTouch": 0.25,
                 "startAt": "2025-06-01T00:00:00Z", "endAt": "2025-07-01T00:00:00Z", "holdoutShare": 0.2}""".formatted(targetFields);
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
                .body("errors[0].field", equalTo("target_segment_id"))
                .body("errors[0].reason", startsWith("unknown segment 'no-such-segment-" + run + "'"));
        given().contentType(ContentType.JSON).body(plan("\"targetMinProbability\": 0.5, \"targetStoreId\": \"nowhere-" + run + "\""))
                .post("/campaigns").then().statusCode(400).body("errors[0].field", equalTo("target_store_id"));
        given().contentType(ContentType.JSON).body(plan("\"targetMinProbability\": 0")).post("/campaigns")
                .then().statusCode(400).body("errors[0].field", equalTo("target_min_probability"));
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

        SegmentEvents.publish(kafka, List.of(change(member, "churn-edge", false, ENTERED.plus(Duration.ofDays(3)), reported)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/stores/{s}/call-list", home).then()
                .statusCode(200).body("tasks.size()", equalTo(0)));
        assertThat(database.preparedQuery("SELECT close_reason FROM call_task WHERE member_id = $1").execute(Tuple.of(member))
                .await().indefinitely().iterator().next().getString(0)).isEqualTo("left the segment");
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

        String plan = """
                {"name": "calls", "targetMinProbability": 0.5, "targetStoreId": "%s", "channel": "call",
                 "startAt": "2025-06-01T00:00:00Z", "endAt": "2025-07-01T00:00:00Z", "holdoutShare": 0.5}""".formatted(store);
        String campaign = given().contentType(ContentType.JSON).body(plan).post("/campaigns").then().statusCode(201)
                .extract().path("campaign.id");
        given().contentType(ContentType.JSON).body("{\"state\": \"live\"}").post("/campaigns/{id}/state", campaign)
                .then().statusCode(200);

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

    @Test
    void unknownMembersAreRefusedWithAReason() {
        String campaign = given().contentType(ContentType.JSON).body(plan("\"targetMinProbability\": 0.5")).post("/campaigns")
                .then().statusCode(201).extract().path("campaign.id");
        given().get("/campaigns/{id}/members/{m}/assignment", campaign, "nobody-" + ChurnEvents.run())
                .then().statusCode(404).contentType("application/problem+json").body("detail", startsWith("no member nobody-"));
    }
}
