package io.memberpulse.campaign.api.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.memberpulse.campaign.store.CallListCache;
import io.memberpulse.campaign.testdata.ChurnEvents;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * What a call list holds: a store's own daily capacity (memberpulse.campaign.store-call-capacities, the global
 * daily-call-capacity elsewhere), and at most call-list-max-tasks tasks however many are open, the right ones first.
 * The open tasks are written straight into PostgreSQL: thousands of scored members would be needed to open them.
 */
@QuarkusTest
class CallListBoundsTest {
    /** application.properties (%test): this store calls 2 a day; the others the global 20. */
    static final String SMALL_STORE = "capacity-two-store";

    @Inject
    Pool database;

    @Inject
    CallListCache callLists;

    /** {@code count} OPEN tasks in the store, task i with value at risk i; the {@code overdue} lowest ones overdue. */
    private List<String> openTasks(String store, String run, int count, int overdue) {
        Instant now = Instant.now();
        List<Tuple> risks = new ArrayList<>();
        List<Tuple> tasks = new ArrayList<>();
        List<String> members = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            String member = "b-" + run + "-" + i;
            members.add(member);
            var at = now.atOffset(ZoneOffset.UTC);
            risks.add(Tuple.of(member, store, 0.9, (double) i, at, at));
            // Overdue ones fell due i hours ago (task 1 the longest), the others in two days.
            var due = (i <= overdue ? now.minus(Duration.ofHours(overdue - i + 1)) : now.plus(Duration.ofDays(2)))
                    .atOffset(ZoneOffset.UTC);
            tasks.add(Tuple.from(List.of("bt-" + run + "-" + i, member, store, 0.9, (double) i, (double) i, at, due)));
        }
        database.preparedQuery("""
                INSERT INTO member_risk (member_id, store_id, probability, member_value, as_of, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6)""").executeBatch(risks).await().indefinitely();
        database.preparedQuery("""
                INSERT INTO call_task (id, member_id, store_id, probability, member_value, value_at_risk, status,
                  created_at, due_at)
                VALUES ($1, $2, $3, $4, $5, $6, 'OPEN', $7, $8)""").executeBatch(tasks).await().indefinitely();
        return members;
    }

    /** Takes the store's OPEN tasks of earlier runs out of the way (the small store's id is fixed). */
    private void closeOpenTasks(String store) {
        database.preparedQuery("""
                UPDATE call_task SET status = 'CANCELLED', closed_at = now(), close_reason = 'test reset'
                WHERE store_id = $1 AND status = 'OPEN'""").execute(Tuple.of(store)).await().indefinitely();
    }

    @Test
    void eachStoreGetsItsOwnDailyCapacity() {
        String run = ChurnEvents.run();
        String other = "s-" + run;
        closeOpenTasks(SMALL_STORE);
        openTasks(SMALL_STORE, run + "a", 5, 0);
        openTasks(other, run + "b", 5, 0);
        // A list an earlier run cached predates the rows written here.
        callLists.invalidate(List.of(SMALL_STORE)).await().indefinitely();

        assertThat(lengths(SMALL_STORE)).containsExactly(2, 3);
        assertThat(lengths(other)).containsExactly(5, 0);
    }

    private List<Integer> lengths(String store) {
        JsonPath list = given().get("/stores/{s}/call-list", store).then().statusCode(200).extract().jsonPath();
        return List.of(list.getList("tasks").size(), list.getList("guideMessages").size());
    }

    @Test
    void aStoreWithHundredsOfOpenTasksGetsABoundedListOfTheRightOnes() {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        int open = 600;
        List<String> members = openTasks(store, run, open, 3);

        JsonPath list = given().get("/stores/{s}/call-list", store).then().statusCode(200).extract().jsonPath();
        List<String> called = list.getList("tasks.memberId", String.class);
        List<String> messaged = list.getList("guideMessages.memberId", String.class);
        // The three overdue first, longest overdue first; then the largest values at risk.
        List<String> expected = new ArrayList<>(members.subList(0, 3));
        IntStream.iterate(open, i -> i > 3, i -> i - 1).mapToObj(i -> members.get(i - 1)).forEach(expected::add);
        assertThat(called).containsExactlyElementsOf(expected.subList(0, 20));
        assertThat(messaged).containsExactlyElementsOf(expected.subList(20, 200));
        // An explicit limit within the bound is honoured; beyond it, refused naming the limit.
        given().queryParam("limit", 200).get("/stores/{s}/call-list", store).then().statusCode(200)
                .body("tasks.size()", equalTo(200)).body("guideMessages.size()", equalTo(0));
        given().queryParam("limit", 201).get("/stores/{s}/call-list", store).then().statusCode(400)
                .body("errors[0].field", equalTo("limit"));
    }
}
