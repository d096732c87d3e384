package io.memberpulse.campaign.api.rest;

import static io.memberpulse.campaign.testdata.ChurnEvents.scored;
import static io.memberpulse.campaign.testdata.SegmentEvents.change;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.memberpulse.campaign.EscalateOverdueTasksService;
import io.memberpulse.campaign.RecordSegmentsService;
import io.memberpulse.campaign.SimulatedClock;
import io.memberpulse.campaign.WithKafkaCompanion;
import io.memberpulse.campaign.domain.CallTask;
import io.memberpulse.campaign.testdata.ChurnEvents;
import io.memberpulse.proto.churn.v1.ChurnScored;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
class EscalationAndCoolDownTest extends WithKafkaCompanion {
    @Inject
    Pool database;

    @Inject
    EscalateOverdueTasksService escalation;

    @Inject
    RecordSegmentsService segments;

    @Inject
    SimulatedClock clock;

    /**
     * A store's scores, the riskiest first. Published with publishInOrder: the top member is planned before the others
     * arrive, never after "second", which would otherwise get a call as the store's riskiest then and keep it.
     */
    static List<ChurnScored> store(String run, String store, double topProbability, Instant asOf) {
        List<ChurnScored> scores = new ArrayList<>();
        scores.add(scored("top-" + run, store, topProbability, 300, asOf));
        scores.add(scored("second-" + run, store, 0.8, 300, asOf));
        for (int i = 1; i <= 8; i++) {
            scores.add(scored("m-" + run + "-" + i, store, 0.1, 100, asOf));
        }
        return scores;
    }

    @Test
    void aMemberJustCalledIsNotCalledAgainDuringTheCoolDown() {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        ChurnEvents.publishInOrder(kafka, store(run, store, 0.9, ChurnEvents.T1));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/stores/{s}/call-list", store)
                .then().statusCode(200).body("tasks.memberId", equalTo(List.of("top-" + run))));
        var list = given().get("/stores/{s}/call-list", store).then().extract().jsonPath();
        given().contentType(ContentType.JSON)
                .body("{\"reached\": true, \"result\": \"will_return\", \"version\": " + list.getLong("tasks[0].version") + "}")
                .post("/tasks/{id}/outcome", list.getString("tasks[0].taskId")).then().statusCode(200);

        // A newer, even higher score: the member was just called, so the next riskiest is called instead.
        ChurnEvents.publishInOrder(kafka, store(run, store, 0.97, ChurnEvents.T1.plus(Duration.ofDays(1))));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/stores/{s}/call-list", store)
                .then().statusCode(200).body("tasks.memberId", equalTo(List.of("second-" + run))));
    }

    /** A call nobody answered is no contact: no cool-down; the member, still the riskiest, is called again. */
    @Test
    void aMemberNotReachedIsCalledAgainAtTheNextPlan() {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        ChurnEvents.publishInOrder(kafka, store(run, store, 0.9, ChurnEvents.T1));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/stores/{s}/call-list", store)
                .then().statusCode(200).body("tasks.memberId", equalTo(List.of("top-" + run))));
        String unanswered = recordNotReached(store, null);

        ChurnEvents.publishInOrder(kafka, store(run, store, 0.97, ChurnEvents.T1.plus(Duration.ofDays(1))));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/stores/{s}/call-list", store)
                .then().statusCode(200).body("tasks.memberId", equalTo(List.of("top-" + run))));
        assertThat(given().get("/stores/{s}/call-list", store).then().extract().jsonPath().getString("tasks[0].taskId"))
                .as("a new task").isNotEqualTo(unanswered);
    }

    /** Not reached with a follow-up date: the member waits for that day, then is called again, not cooled down. */
    @Test
    void aMemberNotReachedIsCalledAgainOnTheFollowUpDate() {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        ChurnEvents.publishInOrder(kafka, store(run, store, 0.9, ChurnEvents.T1));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/stores/{s}/call-list", store)
                .then().statusCode(200).body("tasks.memberId", equalTo(List.of("top-" + run))));
        LocalDate followUp = LocalDate.now(ZoneOffset.UTC).plusDays(3);
        recordNotReached(store, followUp);

        // Before the follow-up date the next riskiest is called instead.
        ChurnEvents.publishInOrder(kafka, store(run, store, 0.97, ChurnEvents.T1.plus(Duration.ofDays(1))));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/stores/{s}/call-list", store)
                .then().statusCode(200).body("tasks.memberId", equalTo(List.of("second-" + run))));

        // On the follow-up date (within the 14-day cool-down a contact would start) the member is called again.
        clock.set(followUp.atStartOfDay(ZoneOffset.UTC).plusHours(1).toInstant());
        try {
            ChurnEvents.publishInOrder(kafka, store(run, store, 0.98, ChurnEvents.T1.plus(Duration.ofDays(2))));
            await().atMost(Duration.ofSeconds(20)).until(() -> database.preparedQuery(
                            "SELECT count(*) FROM call_task WHERE member_id = $1 AND status = 'OPEN'")
                    .execute(Tuple.of("top-" + run)).await().indefinitely().iterator().next().getLong(0) == 1);
        } finally {
            clock.reset();
        }
    }

    /** Records not_reached for the first call on the store's list; returns its task id. */
    private static String recordNotReached(String store, LocalDate followUp) {
        var list = given().get("/stores/{s}/call-list", store).then().extract().jsonPath();
        String taskId = list.getString("tasks[0].taskId");
        given().contentType(ContentType.JSON)
                .body("{\"reached\": false, \"result\": \"not_reached\", \"version\": " + list.getLong("tasks[0].version")
                        + (followUp == null ? "" : ", \"followUpDate\": \"" + followUp + "\"") + "}")
                .post("/tasks/{id}/outcome", taskId).then().statusCode(200);
        return taskId;
    }

    /** The cool-down once counted only calls made in the store replanned: a member who moved was called again. */
    @Test
    void aMemberJustCalledInOneStoreIsNotCalledInAnotherDuringTheCoolDown() {
        String run = ChurnEvents.run();
        String first = "s-" + run;
        String second = "t-" + run;
        ChurnEvents.publishInOrder(kafka, store(run, first, 0.9, ChurnEvents.T1));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/stores/{s}/call-list", first)
                .then().statusCode(200).body("tasks.memberId", equalTo(List.of("top-" + run))));
        recordOutcome(first, "will_return");

        // The member now belongs to another store, again its riskiest: its call goes to the next riskiest there.
        Instant later = ChurnEvents.T1.plus(Duration.ofDays(1));
        List<ChurnScored> moved = new ArrayList<>(List.of(scored("top-" + run, second, 0.97, 300, later),
                scored("other-" + run, second, 0.8, 300, later)));
        for (int i = 1; i <= 8; i++) {
            moved.add(scored("n-" + run + "-" + i, second, 0.1, 100, later));
        }
        ChurnEvents.publish(kafka, moved);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/stores/{s}/call-list", second)
                .then().statusCode(200).body("tasks.memberId", equalTo(List.of("other-" + run))));
    }

    /** OPTED_OUT means no more calls: not after the cool-down, and not by another SOP rule. */
    @Test
    void aMemberWhoOptedOutIsNotCalledAgainByEitherRule() throws Throwable {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        ChurnEvents.publishInOrder(kafka, store(run, store, 0.9, ChurnEvents.T1));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/stores/{s}/call-list", store)
                .then().statusCode(200).body("tasks.memberId", equalTo(List.of("top-" + run))));
        String taskId = recordOutcome(store, "opted_out");
        // Long enough ago that the cool-down is over.
        database.preparedQuery("UPDATE call_task SET closed_at = closed_at - interval '30 days' WHERE id = $1")
                .execute(Tuple.of(taskId)).await().indefinitely();

        ChurnEvents.publishInOrder(kafka, store(run, store, 0.97, ChurnEvents.T1.plus(Duration.ofDays(1))));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/stores/{s}/call-list", store)
                .then().statusCode(200).body("tasks.memberId", equalTo(List.of("second-" + run))));

        VertxContextSupport.subscribeAndAwait(() -> segments.record(List.of(change("top-" + run, "churn-edge", true,
                Instant.now(), store))));
        assertThat(database.preparedQuery("SELECT count(*) FROM call_task WHERE member_id = $1 AND status = 'OPEN'")
                .execute(Tuple.of("top-" + run)).await().indefinitely().iterator().next().getLong(0)).isZero();
    }

    /** Records an outcome for the first call on the store's list; returns its task id. */
    private static String recordOutcome(String store, String result) {
        var list = given().get("/stores/{s}/call-list", store).then().extract().jsonPath();
        String taskId = list.getString("tasks[0].taskId");
        given().contentType(ContentType.JSON)
                .body("{\"reached\": true, \"result\": \"" + result + "\", \"version\": " + list.getLong("tasks[0].version") + "}")
                .post("/tasks/{id}/outcome", taskId).then().statusCode(200);
        return taskId;
    }

    @Test
    void overdueTasksAreEscalatedOnceAndCountedForAlerting() throws Throwable {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        ChurnEvents.publishInOrder(kafka, store(run, store, 0.9, ChurnEvents.T1));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/stores/{s}/call-list", store)
                .then().statusCode(200).body("tasks.size()", equalTo(1)));
        String taskId = given().get("/stores/{s}/call-list", store).then().extract().path("tasks[0].taskId");
        database.preparedQuery("UPDATE call_task SET due_at = now() - interval '1 hour' WHERE id = $1")
                .execute(Tuple.of(taskId)).await().indefinitely();

        List<CallTask> escalated = VertxContextSupport.subscribeAndAwait(() -> escalation.escalate(Instant.now()));
        assertThat(escalated).extracting(CallTask::taskId).contains(taskId);
        assertThat(VertxContextSupport.subscribeAndAwait(() -> escalation.escalate(Instant.now())))
                .extracting(CallTask::taskId).doesNotContain(taskId);
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("memberpulse_campaign_tasks_overdue"))
                .body(containsString("memberpulse_campaign_tasks_escalated_total"));
    }

    /**
     * Two replicas' ticks overlap: both found the same overdue task, and the second's update, matching no row once the
     * first had committed, still counted and logged it as escalated. Now each task comes back from the tick that marked
     * it, and from no other. The task's row is held locked (as an outcome being recorded holds it) so that both ticks
     * are in flight at once.
     */
    @Test
    void overlappingTicksEscalateATaskOnce() throws Exception {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        ChurnEvents.publishInOrder(kafka, store(run, store, 0.9, ChurnEvents.T1));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/stores/{s}/call-list", store)
                .then().statusCode(200).body("tasks.size()", equalTo(1)));
        String taskId = given().get("/stores/{s}/call-list", store).then().extract().path("tasks[0].taskId");
        database.preparedQuery("UPDATE call_task SET due_at = now() - interval '1 hour' WHERE id = $1")
                .execute(Tuple.of(taskId)).await().indefinitely();

        var holder = database.getConnection().await().indefinitely();
        var ticks = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            holder.query("BEGIN").execute().await().indefinitely();
            holder.preparedQuery("SELECT id FROM call_task WHERE id = $1 FOR UPDATE").execute(Tuple.of(taskId))
                    .await().indefinitely();
            Instant now = Instant.now();
            List<java.util.concurrent.Future<List<CallTask>>> results = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                results.add(ticks.submit(() -> {
                    try {
                        return VertxContextSupport.subscribeAndAwait(() -> escalation.escalate(now));
                    } catch (Throwable e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            // Both ticks wait on the row.
            await().atMost(Duration.ofSeconds(20)).until(() -> database.query("""
                    SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%escalated_at%'""")
                    .execute().await().indefinitely().iterator().next().getLong(0) >= 2);
            holder.query("COMMIT").execute().await().indefinitely();
            long escalations = 0;
            for (var result : results) {
                escalations += result.get(30, java.util.concurrent.TimeUnit.SECONDS).stream()
                        .filter(task -> task.taskId().equals(taskId)).count();
            }
            assertThat(escalations).as("ticks that report the task escalated").isLessThanOrEqualTo(1);
            assertThat(database.preparedQuery("SELECT escalated_at FROM call_task WHERE id = $1").execute(Tuple.of(taskId))
                    .await().indefinitely().iterator().next().getValue(0)).isNotNull();
        } finally {
            ticks.shutdownNow();
            holder.close().await().indefinitely();
        }
    }
}
