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

    private String status(String taskId) {
        return database.preparedQuery("SELECT status FROM call_task WHERE id = $1").execute(Tuple.of(taskId))
                .await().indefinitely().iterator().next().getString(0);
    }

    @Test
    void aCallOnATaskCancelledForRiskFellIsRecordedWithTheVersionTheListCarried() {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        ChurnEvents.publish(kafka, store(run, store, false, ChurnEvents.T1));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/stores/{s}/call-list", store)
                .then().statusCode(200).body("tasks.memberId", equalTo(List.of("top-" + run))));
        JsonPath list = given().get("/stores/{s}/call-list", store).then().extract().jsonPath();
        String taskId = list.getString("tasks[0].taskId");
        long version = list.getLong("tasks[0].version");
        var published = kafka.consume(String.class, InterventionOutcome.class).fromTopics(Topics.INTERVENTION_OUTCOMES);

        // Past its due time a riskier member takes the store's one slot: the overdue call is cancelled (risk fell)
        // while the manager is on the phone.
        clock.set(Instant.now().plus(Duration.ofHours(73)));
        try {
            ChurnEvents.publish(kafka, store(run, store, true, ChurnEvents.T1.plus(Duration.ofDays(1))));
            await().atMost(Duration.ofSeconds(20)).until(() -> status(taskId).equals("CANCELLED"));

            given().contentType(ContentType.JSON).header("Authorization", "Bearer " + AuthTestResource.staff(store))
                    .body("{\"reached\": true, \"result\": \"will_return\", \"version\": " + version + "}")
                    .post("/tasks/{id}/outcome", taskId)
                    .then().statusCode(200).body("status", equalTo("DONE")).body("repeated", equalTo(false));
            await().atMost(Duration.ofSeconds(20)).until(() -> published.getRecords().stream()
                    .anyMatch(r -> r.value().getTaskId().equals(taskId)));
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> published.getRecords().stream()
                    .filter(r -> r.value().getTaskId().equals(taskId)).count() == 1);
            published.stop();
            // The same submit again answers as before.
            given().contentType(ContentType.JSON).header("Authorization", "Bearer " + AuthTestResource.staff(store))
                    .body("{\"reached\": true, \"result\": \"will_return\", \"version\": " + version + "}")
                    .post("/tasks/{id}/outcome", taskId).then().statusCode(200).body("repeated", equalTo(true));
        } finally {
            clock.reset();
        }
    }

    @Test
    void pastTheGraceOrWithAnOlderVersionTheCancelStands() {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        ChurnEvents.publish(kafka, store(run, store, false, ChurnEvents.T1));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/stores/{s}/call-list", store)
                .then().statusCode(200).body("tasks.memberId", equalTo(List.of("top-" + run))));
        JsonPath list = given().get("/stores/{s}/call-list", store).then().extract().jsonPath();
        String taskId = list.getString("tasks[0].taskId");
        long version = list.getLong("tasks[0].version");
        Instant cancelledAt = Instant.now().plus(Duration.ofHours(73));
        clock.set(cancelledAt);
        try {
            ChurnEvents.publish(kafka, store(run, store, true, ChurnEvents.T1.plus(Duration.ofDays(1))));
            await().atMost(Duration.ofSeconds(20)).until(() -> status(taskId).equals("CANCELLED"));
            given().contentType(ContentType.JSON)
                    .body("{\"reached\": true, \"result\": \"will_return\", \"version\": " + (version - 1) + "}")
                    .post("/tasks/{id}/outcome", taskId).then().statusCode(409).body("detail", containsString("risk fell"));
            clock.set(cancelledAt.plus(Duration.ofHours(25)));
            given().contentType(ContentType.JSON)
                    .body("{\"reached\": true, \"result\": \"will_return\", \"version\": " + version + "}")
                    .post("/tasks/{id}/outcome", taskId).then().statusCode(409).body("detail", containsString("risk fell"));
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
        // The store known to campaign-service (a purchase there), so that a campaign may target it.
        MemberEvents.publish(kafka, List.of(MemberEvents.orderLine("buyer-" + run, "buyer-" + run + "-1",
                "buyer-" + run + "-o1", ChurnEvents.T1.minus(Duration.ofDays(10)), store, "s", "dairy/milk", 1, 10)));
        await().atMost(Duration.ofSeconds(60)).until(() -> database.preparedQuery(
                "SELECT count(*) FROM member_purchase WHERE member_id = $1").execute(Tuple.of("buyer-" + run))
                .await().indefinitely().iterator().next().getLong(0) == 1);
        String campaign = given().contentType(ContentType.JSON).body("""
                {"name": "calls", "targetMinProbability": 0.5, "targetStoreId": "%s", "channel": "call",
                 "startAt": "2025-06-01T00:00:00Z", "endAt": "2099-07-01T00:00:00Z", "holdoutShare": 0.5}""".formatted(store))
                .post("/campaigns").then().statusCode(201).extract().path("campaign.id");
        String heldOut = null;
        for (int i = 0; heldOut == null; i++) {
            String candidate = "h-" + run + "-" + i;
            heldOut = Assignment.of(campaign, candidate, 0.5, List.of()).arm() == Arm.HOLDOUT ? candidate : null;
        }
        List<ChurnScored> scores = new ArrayList<>(store(run, store, false, ChurnEvents.T1));
        scores.set(0, scored(heldOut, store, 0.9, 300, ChurnEvents.T1));
        ChurnEvents.publish(kafka, scores);
        String member = heldOut;
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/stores/{s}/call-list", store)
                .then().statusCode(200).body("tasks.memberId", equalTo(List.of(member))));
        JsonPath list = given().get("/stores/{s}/call-list", store).then().extract().jsonPath();
        String taskId = list.getString("tasks[0].taskId");
        long version = list.getLong("tasks[0].version");

        clock.set(Instant.now().plus(Duration.ofHours(73)));
        try {
            List<ChurnScored> riskier = new ArrayList<>(store(run, store, true, ChurnEvents.T1.plus(Duration.ofDays(1))));
            riskier.set(0, scored(heldOut, store, 0.9, 300, ChurnEvents.T1.plus(Duration.ofDays(1))));
            ChurnEvents.publish(kafka, riskier);
            await().atMost(Duration.ofSeconds(20)).until(() -> status(taskId).equals("CANCELLED"));
            given().contentType(ContentType.JSON).body("{\"state\": \"live\"}").post("/campaigns/{id}/state", campaign)
                    .then().statusCode(200);

            given().contentType(ContentType.JSON).header("Authorization", "Bearer " + AuthTestResource.staff(store))
                    .body("{\"reached\": true, \"result\": \"will_return\", \"version\": " + version + "}")
                    .post("/tasks/{id}/outcome", taskId).then().statusCode(409).body("detail", containsString("held out"));
            assertThat(status(taskId)).isEqualTo("CANCELLED");
        } finally {
            given().contentType(ContentType.JSON).body("{\"state\": \"review\"}").post("/campaigns/{id}/state", campaign);
            clock.reset();
        }
    }

    private String storeOf(String taskId) {
        return database.preparedQuery("SELECT store_id FROM call_task WHERE id = $1").execute(Tuple.of(taskId))
                .await().indefinitely().iterator().next().getString(0);
    }

    /** Member m's call at store a, the one call of a's list (b has another member, n). Returns a's list. */
    private JsonPath callAtStoreA(String run, String storeA, String storeB) {
        ChurnEvents.publish(kafka, List.of(scored("m-" + run, storeA, 0.9, 100.0, ChurnEvents.T1),
                scored("o-" + run, storeA, 0.1, 100.0, ChurnEvents.T1), scored("n-" + run, storeB, 0.6, 100.0, ChurnEvents.T1)));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/stores/{s}/call-list", storeA)
                .then().statusCode(200).body("tasks.memberId", equalTo(List.of("m-" + run))));
        return given().get("/stores/{s}/call-list", storeA).then().extract().jsonPath();
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
        JsonPath list = callAtStoreA(run, storeA, storeB);
        String taskId = list.getString("tasks[0].taskId");
        long version = list.getLong("tasks[0].version");
        var published = kafka.consume(String.class, InterventionOutcome.class).fromTopics(Topics.INTERVENTION_OUTCOMES);

        // The member's home store becomes b while a's manager is on the phone with them.
        moveHome(run, taskId, storeB);
        given().get("/stores/{s}/call-list", storeB).then().body("tasks.taskId", hasItem(taskId));

        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + AuthTestResource.staff(storeA))
                .body("{\"reached\": true, \"result\": \"will_return\", \"version\": " + version + "}")
                .post("/tasks/{id}/outcome", taskId)
                .then().statusCode(200).body("status", equalTo("DONE")).body("repeated", equalTo(false));
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
        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + AuthTestResource.staff(storeA))
                .body("{\"reached\": true, \"result\": \"will_return\", \"version\": " + version + "}")
                .post("/tasks/{id}/outcome", taskId).then().statusCode(200).body("repeated", equalTo(true));
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
        JsonPath list = callAtStoreA(run, storeA, ONE_CALL_STORE);
        String taskId = list.getString("tasks[0].taskId");
        long version = list.getLong("tasks[0].version");
        moveHome(run, taskId, ONE_CALL_STORE);
        // b holds m's task (the riskier, so its one call) and n's, beyond its capacity a guide message.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/stores/{s}/call-list", ONE_CALL_STORE)
                .then().statusCode(200).body("tasks.memberId", equalTo(List.of("m-" + run)))
                .body("guideMessages.memberId", equalTo(List.of("n-" + run))));
        long madeByA = callsMadeToday(storeA);

        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + AuthTestResource.staff(storeA))
                .body("{\"reached\": true, \"result\": \"will_return\", \"version\": " + version + "}")
                .post("/tasks/{id}/outcome", taskId).then().statusCode(200).body("status", equalTo("DONE"));

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
        JsonPath list = callAtStoreA(run, storeA, storeB);
        String taskId = list.getString("tasks[0].taskId");
        long version = list.getLong("tasks[0].version");
        moveHome(run, taskId, storeB);
        for (long other : new long[] {version - 1, version + 1}) {
            given().contentType(ContentType.JSON).header("Authorization", "Bearer " + AuthTestResource.staff(storeA))
                    .body("{\"reached\": true, \"result\": \"will_return\", \"version\": " + other + "}")
                    .post("/tasks/{id}/outcome", taskId).then().statusCode(404);
        }
        clock.set(Instant.now().plus(Duration.ofHours(25)));
        try {
            given().contentType(ContentType.JSON).header("Authorization", "Bearer " + AuthTestResource.staff(storeA))
                    .body("{\"reached\": true, \"result\": \"will_return\", \"version\": " + version + "}")
                    .post("/tasks/{id}/outcome", taskId).then().statusCode(404);
            assertThat(status(taskId)).isEqualTo("OPEN");
        } finally {
            clock.reset();
        }
    }
}
