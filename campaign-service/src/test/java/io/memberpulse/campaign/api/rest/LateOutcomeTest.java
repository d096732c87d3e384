package io.memberpulse.campaign.api.rest;

import static io.memberpulse.campaign.testdata.ChurnEvents.scored;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.memberpulse.campaign.SimulatedClock;
import io.memberpulse.campaign.WithKafkaCompanion;
import io.memberpulse.campaign.domain.experiment.Arm;
import io.memberpulse.campaign.domain.experiment.Assignment;
import io.memberpulse.campaign.testdata.ChurnEvents;
import io.memberpulse.campaign.testdata.MemberEvents;
import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.proto.campaign.v1.InterventionOutcome;
import io.memberpulse.proto.churn.v1.ChurnScored;
import io.memberpulse.proto.kafka.InterventionOutcomeDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.proto.kafka.Topics;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A call staff made on a task the service closed under them (risk fell, left the segment) is still recorded within
 * late-outcome-grace of the close: a real call that is lost would leave the member without cool-down and untreated
 * for churn-service. So is a call staff made from their list on a task that moved to the member's new home store.
 */
@QuarkusTest
class LateOutcomeTest extends WithKafkaCompanion {
    @Inject
    SimulatedClock clock;

    @Inject
    Pool database;

    @BeforeEach
    void registerSerdes() {
        kafka.registerSerde(InterventionOutcome.class, ProtobufSerdes.of(new InterventionOutcomeDeserializer()));
        MemberEvents.register(kafka);
    }

    /**
     * Ten members of the store: the SOP's quota is one call, to top; with {@code riskier}, member m-9 scores above top
     * and takes it.
     */
    static List<ChurnScored> store(String run, String store, boolean riskier, Instant asOf) {
        List<ChurnScored> scores = new ArrayList<>();
        scores.add(scored("top-" + run, store, 0.9, 300, asOf));
        for (int i = 1; i <= 9; i++) {
            scores.add(scored("m-" + run + "-" + i, store, riskier && i == 9 ? 0.95 : 0.1, 100, asOf));
        }
        return scores;
    }

    /** A call as the store's list showed it: the task, and the version its outcome goes back with. */
    record ListedCall(String taskId, long version) {
    }

    /** The first call on the store's list. */
    private static ListedCall firstCall(String store) {
        JsonPath list = given().get("/stores/{s}/call-list", store).then().extract().jsonPath();
        return new ListedCall(list.getString("tasks[0].taskId"), list.getLong("tasks[0].version"));
    }

    /** The scores given, once the store's list holds the one call, to {@code member}; returns it. */
    private ListedCall listedCallOf(String member, String store, List<ChurnScored> scores) {
        ChurnEvents.publish(kafka, scores);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/stores/{s}/call-list", store)
                .then().statusCode(200).body("tasks.memberId", equalTo(List.of(member))));
        return firstCall(store);
    }

    /**
     * Scores a riskier member into the store's one slot past the call's due time (set the clock first): the overdue
     * call is cancelled (risk fell) while the manager is on the phone.
     */
    private void cancelForRiskFell(String taskId, List<ChurnScored> riskier) {
        ChurnEvents.publish(kafka, riskier);
        await().atMost(Duration.ofSeconds(20)).until(() -> status(taskId).equals("CANCELLED"));
    }

    /** Sends the outcome "reached, will return" at the version, as staff of the store, or as head office when null. */
    private static ValidatableResponse willReturn(String staffStore, String taskId, long version) {
        RequestSpecification request = given().contentType(ContentType.JSON);
        if (staffStore != null) {
            request.header("Authorization", "Bearer " + AuthTestResource.staff(staffStore));
        }
        return request.body("{\"reached\": true, \"result\": \"will_return\", \"version\": " + version + "}")
                .post("/tasks/{id}/outcome", taskId).then();
    }

    private String status(String taskId) {
        return database.preparedQuery("SELECT status FROM call_task WHERE id = $1").execute(Tuple.of(taskId))
                .await().indefinitely().iterator().next().getString(0);
    }

    @Test
    void aCallOnATaskCancelledForRiskFellIsRecordedWithTheVersionTheListCarried() {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        ListedCall call = listedCallOf("top-" + run, store, store(run, store, false, ChurnEvents.T1));
        var published = kafka.consume(String.class, InterventionOutcome.class).fromTopics(Topics.INTERVENTION_OUTCOMES);

        clock.set(Instant.now().plus(Duration.ofHours(73)));
        try {
            cancelForRiskFell(call.taskId(), store(run, store, true, ChurnEvents.T1.plus(Duration.ofDays(1))));

            willReturn(store, call.taskId(), call.version())
                    .statusCode(200).body("status", equalTo("DONE")).body("repeated", equalTo(false));
            await().atMost(Duration.ofSeconds(20)).until(() -> published.getRecords().stream()
                    .anyMatch(r -> r.value().getTaskId().equals(call.taskId())));
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> published.getRecords().stream()
                    .filter(r -> r.value().getTaskId().equals(call.taskId())).count() == 1);
            published.stop();
            // The same submit again answers as before.
            willReturn(store, call.taskId(), call.version()).statusCode(200).body("repeated", equalTo(true));
        } finally {
            clock.reset();
        }
    }

    @Test
    void pastTheGraceOrWithAnOlderVersionTheCancelStands() {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        ListedCall call = listedCallOf("top-" + run, store, store(run, store, false, ChurnEvents.T1));
        Instant cancelledAt = Instant.now().plus(Duration.ofHours(73));
        clock.set(cancelledAt);
        try {
            cancelForRiskFell(call.taskId(), store(run, store, true, ChurnEvents.T1.plus(Duration.ofDays(1))));
            willReturn(null, call.taskId(), call.version() - 1).statusCode(409).body("detail", containsString("risk fell"));
            clock.set(cancelledAt.plus(Duration.ofHours(25)));
            willReturn(null, call.taskId(), call.version()).statusCode(409).body("detail", containsString("risk fell"));
        } finally {
            clock.reset();
        }
    }

    /**
     * A call cancelled for risk fell whose member a call campaign going live then holds out is the campaign's holdout:
     * the late outcome staff send for it is refused, as for a call cancelled for the holdout (it used to be recorded,
     * a held-out member treated).
     */
    @Test
    void aCallCancelledForRiskFellWhoseMemberIsThenHeldOutTakesNoLateOutcome() {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        String campaign = callCampaignHoldingOutHalf(run, store);
        String heldOut = heldOutMember(campaign, run);
        List<ChurnScored> scores = new ArrayList<>(store(run, store, false, ChurnEvents.T1));
        scores.set(0, scored(heldOut, store, 0.9, 300, ChurnEvents.T1));
        ListedCall call = listedCallOf(heldOut, store, scores);

        clock.set(Instant.now().plus(Duration.ofHours(73)));
        try {
            List<ChurnScored> riskier = new ArrayList<>(store(run, store, true, ChurnEvents.T1.plus(Duration.ofDays(1))));
            riskier.set(0, scored(heldOut, store, 0.9, 300, ChurnEvents.T1.plus(Duration.ofDays(1))));
            cancelForRiskFell(call.taskId(), riskier);
            given().contentType(ContentType.JSON).body("{\"state\": \"live\"}").post("/campaigns/{id}/state", campaign)
                    .then().statusCode(200);

            willReturn(store, call.taskId(), call.version()).statusCode(409).body("detail", containsString("held out"));
            assertThat(status(call.taskId())).isEqualTo("CANCELLED");
        } finally {
            given().contentType(ContentType.JSON).body("{\"state\": \"review\"}").post("/campaigns/{id}/state", campaign);
            clock.reset();
        }
    }

    /** A call campaign on the store, holding out half its members, not yet live. */
    private String callCampaignHoldingOutHalf(String run, String store) {
        // The store known to campaign-service (a purchase there), so that a campaign may target it.
        MemberEvents.publish(kafka, List.of(MemberEvents.orderLine("buyer-" + run, "buyer-" + run + "-1",
                "buyer-" + run + "-o1", ChurnEvents.T1.minus(Duration.ofDays(10)), store, "s", "dairy/milk", 1, 10)));
        await().atMost(Duration.ofSeconds(60)).until(() -> database.preparedQuery(
                "SELECT count(*) FROM member_purchase WHERE member_id = $1").execute(Tuple.of("buyer-" + run))
                .await().indefinitely().iterator().next().getLong(0) == 1);
        return given().contentType(ContentType.JSON).body("""
                {"name": "calls", "targetMinProbability": 0.5, "targetStoreId": "%s", "channel": "call",
                 "startAt": "2025-06-01T00:00:00Z", "endAt": "2099-07-01T00:00:00Z", "holdoutShare": 0.5}""".formatted(store))
                .post("/campaigns").then().statusCode(201).extract().path("campaign.id");
    }

    /** The first of h-run-0, h-run-1, ... that the campaign holds out. */
    private static String heldOutMember(String campaign, String run) {
        String heldOut = null;
        for (int i = 0; heldOut == null; i++) {
            String candidate = "h-" + run + "-" + i;
            heldOut = Assignment.of(campaign, candidate, 0.5, List.of()).arm() == Arm.HOLDOUT ? candidate : null;
        }
        return heldOut;
    }

    private String storeOf(String taskId) {
        return database.preparedQuery("SELECT store_id FROM call_task WHERE id = $1").execute(Tuple.of(taskId))
                .await().indefinitely().iterator().next().getString(0);
    }

    /** Member m's call at store a, the one call of a's list (b has another member, n). */
    private ListedCall callAtStoreA(String run, String storeA, String storeB) {
        return listedCallOf("m-" + run, storeA, List.of(scored("m-" + run, storeA, 0.9, 100.0, ChurnEvents.T1),
                scored("o-" + run, storeA, 0.1, 100.0, ChurnEvents.T1), scored("n-" + run, storeB, 0.6, 100.0, ChurnEvents.T1)));
    }

    private void moveHome(String run, String taskId, String storeB) {
        ChurnEvents.publish(kafka, List.of(scored("m-" + run, storeB, 0.9, 100.0, ChurnEvents.T1.plus(Duration.ofDays(1)))));
        await().atMost(Duration.ofSeconds(30)).until(() -> storeOf(taskId).equals(storeB));
    }

    @Test
    void aCallOnATaskThatMovedToTheMembersNewHomeStoreIsRecordedByTheStoreItLeft() {
        String run = ChurnEvents.run();
        String storeA = "s-" + run + "-a";
        String storeB = "s-" + run + "-b";
        ListedCall call = callAtStoreA(run, storeA, storeB);
        String taskId = call.taskId();
        var published = kafka.consume(String.class, InterventionOutcome.class).fromTopics(Topics.INTERVENTION_OUTCOMES);

        // The member's home store becomes b while a's manager is on the phone with them.
        moveHome(run, taskId, storeB);
        given().get("/stores/{s}/call-list", storeB).then().body("tasks.taskId", hasItem(taskId));

        willReturn(storeA, taskId, call.version())
                .statusCode(200).body("status", equalTo("DONE")).body("repeated", equalTo(false));
        await().atMost(Duration.ofSeconds(20)).until(() -> published.getRecords().stream()
                .anyMatch(r -> r.value().getTaskId().equals(taskId)));
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> published.getRecords().stream()
                .filter(r -> r.value().getTaskId().equals(taskId)).count() == 1);
        published.stop();
        // a's staff made the call: it counts against a's day capacity (task_outcome.store_id), not b's, and the
        // published outcome names a.
        assertThat(database.preparedQuery("SELECT store_id FROM task_outcome WHERE task_id = $1").execute(Tuple.of(taskId))
                .await().indefinitely().iterator().next().getString(0)).isEqualTo(storeA);
        assertThat(published.getRecords().stream().filter(r -> r.value().getTaskId().equals(taskId)).findFirst()
                .orElseThrow().value().getStoreId()).isEqualTo(storeA);
        given().get("/stores/{s}/call-list", storeB).then().statusCode(200).body("tasks.taskId", not(hasItem(taskId)));
        // The same submit again answers as before.
        willReturn(storeA, taskId, call.version()).statusCode(200).body("repeated", equalTo(true));
    }

    /** application.properties (%test): this store calls 1 a day. */
    static final String ONE_CALL_STORE = "capacity-one-store";

    /** Outcomes counted against the store's day capacity so far today (in day-zone), as the call list counts them. */
    private long callsMadeToday(String store) {
        ZoneId dayZone = ZoneId.of("Asia/Shanghai");
        Instant startOfDay = LocalDate.now(dayZone).atStartOfDay(dayZone).toInstant();
        return database.preparedQuery("SELECT count(*) FROM task_outcome WHERE store_id = $1 AND recorded_at >= $2")
                .execute(Tuple.of(store, startOfDay.atOffset(ZoneOffset.UTC))).await().indefinitely().iterator().next()
                .getLong(0);
    }

    /**
     * The call a's staff made on the task that moved to b counts against a's day capacity, not b's: b, which calls one
     * a day, still offers its own call (member n's) once a recorded the moved one.
     */
    @Test
    void aCallTheStoreItLeftRecordsCountsAgainstThatStoresDayCapacityNotTheNewStores() {
        String run = ChurnEvents.run();
        String storeA = "s-" + run + "-a";
        ListedCall call = callAtStoreA(run, storeA, ONE_CALL_STORE);
        moveHome(run, call.taskId(), ONE_CALL_STORE);
        // b holds m's task (the riskier, so its one call) and n's, beyond its capacity a guide message.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/stores/{s}/call-list", ONE_CALL_STORE)
                .then().statusCode(200).body("tasks.memberId", equalTo(List.of("m-" + run)))
                .body("guideMessages.memberId", equalTo(List.of("n-" + run))));
        long madeByA = callsMadeToday(storeA);

        willReturn(storeA, call.taskId(), call.version()).statusCode(200).body("status", equalTo("DONE"));

        given().get("/stores/{s}/call-list", ONE_CALL_STORE).then().statusCode(200)
                .body("tasks.memberId", equalTo(List.of("n-" + run))).body("guideMessages", empty());
        assertThat(callsMadeToday(storeA)).isEqualTo(madeByA + 1);
        assertThat(callsMadeToday(ONE_CALL_STORE)).isZero();
    }

    @Test
    void pastTheGraceOfTheMoveOrWithAnotherVersionTheStoreItLeftFindsNoTask() {
        String run = ChurnEvents.run();
        String storeA = "s-" + run + "-a";
        String storeB = "s-" + run + "-b";
        ListedCall call = callAtStoreA(run, storeA, storeB);
        moveHome(run, call.taskId(), storeB);
        for (long other : new long[] {call.version() - 1, call.version() + 1}) {
            willReturn(storeA, call.taskId(), other).statusCode(404);
        }
        clock.set(Instant.now().plus(Duration.ofHours(25)));
        try {
            willReturn(storeA, call.taskId(), call.version()).statusCode(404);
            assertThat(status(call.taskId())).isEqualTo("OPEN");
        } finally {
            clock.reset();
        }
    }
}
