package io.memberpulse.campaign.api.rest;

import static io.memberpulse.campaign.testdata.ChurnEvents.T1;
import static io.memberpulse.campaign.testdata.ChurnEvents.scored;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;

import io.memberpulse.campaign.WithKafkaCompanion;
import io.memberpulse.campaign.store.CallListCache;
import io.memberpulse.campaign.testdata.Campaigns;
import io.memberpulse.campaign.testdata.ChurnEvents;
import io.memberpulse.proto.churn.v1.ChurnScored;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
class CallListResourceTest extends WithKafkaCompanion {
    @Inject
    Pool database;

    @Inject
    CallListCache callLists;

    /**
     * 30 members: the SOP calls the 3 riskiest (0.90, 0.88, 0.86), and the list ranks them by
     * value at risk: m29 (0.88 x 500 = 440), m28 (0.86 x 200 = 172), m30 (0.90 x 100 = 90).
     */
    static List<ChurnScored> storeOf30(String run, String store) {
        List<ChurnScored> scores = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            double value = i == 29 ? 500.0 : i == 28 ? 200.0 : 100.0;
            scores.add(scored(member(run, i), store, 0.30 + i * 0.02, value, T1));
        }
        return scores;
    }

    /**
     * The three riskiest first, then the rest: an opened call keeps its 72 hours (InterventionSop.plan), so the calls
     * opened while only part of the store was scored would hold the quota's slots; scored first, the riskiest hold them.
     */
    void publishRiskiestFirst(List<ChurnScored> scores) {
        List<ChurnScored> riskiest = scores.subList(scores.size() - 3, scores.size());
        ChurnEvents.publish(kafka, riskiest);
        await().atMost(Duration.ofSeconds(30)).until(() -> database.preparedQuery(
                "SELECT count(*) FROM member_risk WHERE member_id = ANY($1)")
                .execute(Tuple.of(riskiest.stream().map(ChurnScored::getMemberId).toArray(String[]::new)))
                .await().indefinitely().iterator().next().getLong(0) == 3);
        ChurnEvents.publish(kafka, scores);
    }

    static String member(String run, int i) {
        return "m-" + run + "-" + i;
    }

    static List<String> callList(String store) {
        return given().get("/stores/{store}/call-list", store).then().statusCode(200)
                .extract().jsonPath().getList("tasks.memberId", String.class);
    }

    @Test
    void theRiskiestMembersAreListedByValueAtRiskAndALowerScoreCancelsTheirTask() {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        Instant before = Instant.now();
        publishRiskiestFirst(storeOf30(run, store));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(callListOrMissing(store))
                .containsExactly(member(run, 29), member(run, 28), member(run, 30)));

        JsonPath list = given().get("/stores/{store}/call-list", store).then().statusCode(200)
                .body("storeId", equalTo(store))
                .body("tasks[0].status", equalTo("OPEN"))
                .body("tasks[0].overdue", equalTo(false))
                .body("tasks[0].version", equalTo(0))
                .body("tasks[0].talkingPoints", hasItem("churn risk 88%"))
                .body("tasks[0].talkingPoints", hasItem("90-day spend ¥500"))
                .extract().jsonPath();
        assertThat(list.getDouble("tasks[0].valueAtRisk")).isCloseTo(440.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(list.getDouble("tasks[0].churnProbability")).isCloseTo(0.88, org.assertj.core.data.Offset.offset(1e-9));
        Instant dueAt = Instant.parse(list.getString("tasks[0].dueAt"));
        assertThat(dueAt).isBetween(before.plus(72, ChronoUnit.HOURS).minusSeconds(1),
                Instant.now().plus(72, ChronoUnit.HOURS));

        given().queryParam("limit", 2).get("/stores/{store}/call-list", store).then().statusCode(200)
                .body("tasks.memberId", equalTo(List.of(member(run, 29), member(run, 28))))
                // Beyond the day's call capacity, the rest goes to the shopping guides as private messages.
                .body("guideMessages.memberId", equalTo(List.of(member(run, 30))));

        // m29 is no longer at risk; an outdated low score of m30 must change nothing.
        ChurnEvents.publish(kafka, List.of(
                scored(member(run, 29), store, 0.2, 500.0, T1.plus(1, ChronoUnit.DAYS)),
                scored(member(run, 30), store, 0.1, 100.0, T1.minus(1, ChronoUnit.DAYS))));

        List<String> after = List.of(member(run, 28), member(run, 30), member(run, 27));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(callList(store)).isEqualTo(after));
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(callList(store)).isEqualTo(after));

        Row cancelled = database.preparedQuery("SELECT status, close_reason, version FROM call_task WHERE member_id = $1")
                .execute(Tuple.of(member(run, 29))).await().indefinitely().iterator().next();
        assertThat(cancelled.getString("status")).isEqualTo("CANCELLED");
        assertThat(cancelled.getString("close_reason")).isEqualTo("risk fell");
        assertThat(cancelled.getLong("version")).isEqualTo(1L);

        given().get("/stats").then().statusCode(200)
                .body("members", greaterThanOrEqualTo(30))
                .body("stores", greaterThanOrEqualTo(1))
                .body("openTasks", greaterThanOrEqualTo(3));
    }

    /**
     * "Daily" capacity (20) was the list's length however many calls the store had made that day: asked again after
     * 18 recorded outcomes, it handed out 20 more. Now today's outcomes (in day-zone) count against it: 2 calls left,
     * the third OPEN task a guide message; yesterday's outcomes and another store's count nothing; a limit asked for
     * is the caller's.
     */
    @Test
    void theCallsMadeTodayCountAgainstTheDailyCapacity() {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        publishRiskiestFirst(storeOf30(run, store));
        List<String> ranked = List.of(member(run, 29), member(run, 28), member(run, 30));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(callListOrMissing(store)).isEqualTo(ranked));

        ZoneId dayZone = ZoneId.of("Asia/Shanghai");
        Instant now = Instant.now();
        Instant startOfDay = LocalDate.ofInstant(now, dayZone).atStartOfDay(dayZone).toInstant();
        // Made today (18 of 20), made yesterday (5), made today in another store (5).
        doneCalls(run + "-today", store, 18, now.isBefore(startOfDay.plusSeconds(60)) ? startOfDay : now.minusSeconds(60));
        doneCalls(run + "-yesterday", store, 5, startOfDay.minusSeconds(1));
        doneCalls(run + "-elsewhere", store + "-other", 5, now.minusSeconds(60));
        // written behind the service's back: drop the store's cached list and count, as recording an outcome does
        callLists.invalidate(List.of(store)).await().atMost(Duration.ofSeconds(5));

        given().get("/stores/{store}/call-list", store).then().statusCode(200)
                .body("tasks.memberId", equalTo(ranked.subList(0, 2)))
                .body("guideMessages.memberId", equalTo(ranked.subList(2, 3)));
        given().queryParam("limit", 3).get("/stores/{store}/call-list", store).then().statusCode(200)
                .body("tasks.memberId", equalTo(ranked));

        // the 19th call of the day, recorded through the API while the list is cached: one call left
        var list = given().get("/stores/{store}/call-list", store).then().extract().jsonPath();
        given().contentType(ContentType.JSON)
                .body("{\"reached\": true, \"result\": \"will_return\", \"version\": " + list.getLong("tasks[0].version")
                        + "}")
                .post("/tasks/{id}/outcome", list.getString("tasks[0].taskId")).then().statusCode(200);
        given().get("/stores/{store}/call-list", store).then().statusCode(200)
                .body("tasks.memberId", equalTo(ranked.subList(1, 2)))
                .body("guideMessages.memberId", equalTo(ranked.subList(2, 3)));
    }

    /**
     * Two calls a replan opened with one due time, overdue: the one with more value at risk comes first, read fresh
     * and from the cache, though the other's id sorts first (ids are random UUIDs: the order was random).
     */
    @Test
    void overdueCallsDueTogetherGoLargestValueAtRiskFirstFreshAndCached() {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        Campaigns.knownStore(kafka, store, run);
        await().atMost(Duration.ofSeconds(30)).until(() -> given().get("/stores/{store}/call-list", store).statusCode() == 200);
        var due = Instant.now().minus(Duration.ofHours(5)).atOffset(java.time.ZoneOffset.UTC);
        for (var task : List.of(List.of("a-" + run, 10.0), List.of("b-" + run, 100.0))) {
            database.preparedQuery("""
                    INSERT INTO call_task (id, member_id, store_id, probability, member_value, value_at_risk, status,
                      created_at, due_at, version)
                    VALUES ($1, $2, $3, 0.9, $4, $4, 'OPEN', $5, $5, 0)""")
                    .execute(Tuple.from(List.of(task.get(0), "m-" + task.get(0), store, task.get(1), due)))
                    .await().indefinitely();
        }
        callLists.invalidate(List.of(store)).await().atMost(Duration.ofSeconds(5));
        for (int read = 0; read < 2; read++) { // a fresh load, then the cached list
            given().queryParam("limit", 1).get("/stores/{store}/call-list", store).then().statusCode(200)
                    .body("tasks.taskId", equalTo(List.of("b-" + run)))
                    .body("guideMessages.taskId", equalTo(List.of("a-" + run)));
        }
    }

    /** {@code count} DONE calls of the store with their outcomes recorded at {@code at}. */
    private void doneCalls(String prefix, String store, int count, Instant at) {
        for (int i = 0; i < count; i++) {
            String task = prefix + "-t" + i;
            var when = at.atOffset(java.time.ZoneOffset.UTC);
            database.preparedQuery("""
                    INSERT INTO call_task (id, member_id, store_id, probability, member_value, value_at_risk, status,
                      created_at, due_at, closed_at, close_reason, version)
                    VALUES ($1, $2, $3, 0.9, 100, 90, 'DONE', $4, $4, $4, 'outcome recorded', 1)""")
                    .execute(Tuple.from(List.of(task, prefix + "-m" + i, store, when))).await().indefinitely();
            database.preparedQuery("""
                    INSERT INTO task_outcome (task_id, member_id, store_id, reached, result, recorded_at, published_at)
                    VALUES ($1, $2, $3, true, 'WILL_RETURN', $4, $4)""")
                    .execute(Tuple.from(List.of(task, prefix + "-m" + i, store, when))).await().indefinitely();
        }
    }

    @Test
    void redeliveringTheSameScoresChangesNothing() {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        List<ChurnScored> scores = storeOf30(run, store);
        publishRiskiestFirst(scores);
        List<String> expected = List.of(member(run, 29), member(run, 28), member(run, 30));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(callListOrMissing(store)).isEqualTo(expected));
        List<String> taskIds = given().get("/stores/{store}/call-list", store).then().extract().path("tasks.taskId");

        ChurnEvents.publish(kafka, scores);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(given().get("/stores/{store}/call-list", store).then().extract()
                        .<List<String>>path("tasks.taskId")).isEqualTo(taskIds));
        long tasks = database.preparedQuery("SELECT count(*) FROM call_task WHERE store_id = $1")
                .execute(Tuple.of(store)).await().indefinitely().iterator().next().getLong(0);
        assertThat(tasks).isEqualTo(3);
    }

    @Test
    void aMemberWhoMovesTakesTheirTaskToTheNewStore() {
        String run = ChurnEvents.run();
        String from = "s-" + run + "-a";
        String to = "s-" + run + "-b";
        ChurnEvents.publish(kafka, List.of(scored("m-" + run, from, 0.9, 100.0, T1),
                scored("o-" + run, from, 0.1, 100.0, T1), scored("n-" + run, to, 0.6, 100.0, T1)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(callListOrMissing(from))
                .containsExactly("m-" + run));
        String taskId = given().get("/stores/{store}/call-list", from).then().extract().path("tasks[0].taskId");

        ChurnEvents.publish(kafka, List.of(scored("m-" + run, to, 0.9, 100.0, T1.plus(1, ChronoUnit.DAYS))));

        // Store b now has two members and a quota of one call: the riskier newcomer's, on the task they brought, and
        // the call of the member they pushed out of the top share, kept until its 72 hours are up (InterventionSop).
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(callList(to))
                .containsExactly("m-" + run, "n-" + run));
        given().get("/stores/{store}/call-list", to).then().body("tasks[0].taskId", equalTo(taskId));
        // Awaited: the cache clears the member's stores one after the other.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(callList(from)).isEmpty());
    }

    @Test
    void anUnknownStoreIsA404ProblemNamingIt() {
        given().get("/stores/{store}/call-list", "nowhere-" + ChurnEvents.run()).then().statusCode(404)
                .contentType("application/problem+json")
                .body("status", equalTo(404))
                .body("detail", containsString("nowhere-"));
    }

    @Test
    void aBlankStoreOrABadLimitIsA400NamingTheField() {
        given().get("/stores/{store}/call-list", " ").then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors[0].field", equalTo("storeId"))
                .body("detail", containsString("storeId"));
        given().queryParam("limit", -1).get("/stores/{store}/call-list", "any").then().statusCode(400)
                .body("errors[0].field", equalTo("limit"));
        given().queryParam("limit", "ten").get("/stores/{store}/call-list", "any").then().statusCode(400)
                .body("errors[0].field", equalTo("limit"));
    }

    /** The call list, or an empty list while the store is still unknown (404). */
    private static List<String> callListOrMissing(String store) {
        var response = given().get("/stores/{store}/call-list", store).then().extract();
        return response.statusCode() == 404 ? List.of() : response.jsonPath().getList("tasks.memberId", String.class);
    }
}
