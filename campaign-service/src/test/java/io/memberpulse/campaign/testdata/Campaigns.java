package io.memberpulse.campaign.testdata;

import static io.memberpulse.campaign.testdata.ChurnEvents.T1;
import static io.memberpulse.campaign.testdata.ChurnEvents.scored;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.memberpulse.campaign.SimulatedClock;
import io.memberpulse.proto.churn.v1.ChurnScored;
import io.quarkus.arc.Arc;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.path.json.config.JsonPathConfig;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.IntStream;

/**
 * Test data: campaigns planned and taken live over REST, with members the hash puts where a test needs them, scored
 * in the campaign's store before it goes live (going live enrols the store's scored members).
 */
public final class Campaigns {
    /** Long enough that a window starting around now has not ended while a test runs. */
    public static final Duration WINDOW = Duration.ofDays(30);
    private static final Duration WAIT = Duration.ofSeconds(30);

    private Campaigns() {
    }

    /** The start of a window around the present: ten days back, so the campaign can go live and results are cut at now. */
    public static Instant startAroundNow() {
        return Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(10));
    }

    /** Makes the store known (a campaign may target it) through a member scored there below any test's target. */
    public static void knownStore(KafkaCompanion kafka, String store, String run) {
        ChurnEvents.publish(kafka, List.of(scored("below-" + run, store, 0.3, 100, T1)));
    }

    /**
     * Plans the campaign the body describes and answers its id, asking again while its target store is unknown: the
     * churn score that names the store may still be on its way.
     */
    public static String planned(String body) {
        return plan(body).getString("campaign.id");
    }

    /** As {@link #planned}, answering the whole answer to the plan (the campaign, its audience, the sample size). */
    public static JsonPath plan(String body) {
        return await().atMost(WAIT).until(() -> given().contentType(ContentType.JSON).body(body).post("/campaigns")
                .then().extract(), planned -> planned.statusCode() == 201).jsonPath();
    }

    /** The first {@code count} of prefix0-run, prefix1-run, ... that {@code wanted} takes (an arm, a variant). */
    public static List<String> members(String prefix, String run, int count, Predicate<String> wanted) {
        return IntStream.range(0, 200).mapToObj(i -> prefix + i + "-" + run).filter(wanted).limit(count).toList();
    }

    /** Scores the members in the store (0.9, above any test's target) and waits until campaign-service has them all. */
    public static void scoredIn(KafkaCompanion kafka, Pool database, String store, List<String> members) {
        ChurnEvents.publish(kafka, members.stream().map(m -> scored(m, store, 0.9, 100, T1)).toList());
        await().atMost(WAIT).until(() -> database.preparedQuery("SELECT count(*) FROM member_risk WHERE member_id = ANY($1)")
                .execute(Tuple.of(members.toArray(String[]::new))).await().indefinitely().iterator().next().getLong(0)
                == members.size());
    }

    /**
     * One order line per member at {@code at} in the store ({@code paid} each, one order each), waiting until
     * campaign-service has recorded them all (MemberEvents.register the companion first).
     */
    public static void boughtOnce(KafkaCompanion kafka, Pool database, String store, List<String> members, Instant at,
            double paid) {
        MemberEvents.publish(kafka, members.stream().map(m -> MemberEvents.orderLine(m, "e-" + m, "o-" + m, at, store,
                "sku", "dairy/milk", 1, paid)).toList());
        await().atMost(WAIT).until(() -> database.preparedQuery("SELECT count(*) FROM member_purchase WHERE member_id = ANY($1)")
                .execute(Tuple.of(members.toArray(String[]::new))).await().indefinitely().iterator().next().getLong(0)
                == members.size());
    }

    /**
     * A store of ten scored members, m-run-1 to m-run-10, whose riskiest (m-run-1) gets the one call of its top 10%;
     * answers the store's call list once it holds that call and every member is recorded. m-run-1 is scored alone
     * first: published together, the ten may arrive over several polls, and a call opened for a riskier-than-the-rest
     * member of a partial store is kept beside m-run-1's (the SOP keeps an extra call up to its quota for 72 h,
     * InterventionSop.plan), so the list would hold two.
     *
     * @param wait how long the call may take to come (longer for a test profile that starts its own application)
     */
    public static JsonPath storeWithFirstCall(KafkaCompanion kafka, String store, String run, Duration wait) {
        ChurnEvents.publish(kafka, List.of(scored("m-" + run + "-1", store, 0.89, 101, T1)));
        await().atMost(wait).untilAsserted(() -> given().get("/stores/{s}/call-list", store)
                .then().statusCode(200).body("tasks.size()", equalTo(1)).body("tasks[0].memberId", equalTo("m-" + run + "-1")));
        List<ChurnScored> others = new ArrayList<>();
        for (int i = 2; i <= 10; i++) {
            others.add(scored("m-" + run + "-" + i, store, i <= 3 ? 0.9 - i * 0.01 : 0.2, 100 + i, T1));
        }
        ChurnEvents.publish(kafka, others);
        Pool database = Arc.container().instance(Pool.class).get();
        await().atMost(wait).until(() -> database.preparedQuery("SELECT count(*) FROM member_risk WHERE store_id = $1")
                .execute(Tuple.of(store)).await().indefinitely().iterator().next().getLong(0) == 10);
        return given().get("/stores/{s}/call-list", store).then().statusCode(200)
                .body("tasks.size()", equalTo(1)).body("tasks[0].memberId", equalTo("m-" + run + "-1")).extract().jsonPath();
    }

    /** Takes the planned campaign live (it enrols the members scored in its target by then). */
    public static void goLive(String campaign) {
        given().contentType(ContentType.JSON).body("{\"state\": \"live\"}").post("/campaigns/{id}/state", campaign)
                .then().statusCode(200);
    }

    /**
     * Takes the planned campaign live at {@code at} by the service's clock, then gives the clock back: a campaign starts
     * when it goes live, so one whose test history (purchases, calls) lies between its start_at and now goes live then.
     */
    public static void goLiveAt(String campaign, Instant at) {
        SimulatedClock clock = Arc.container().instance(SimulatedClock.class).get();
        clock.set(at);
        try {
            goLive(campaign);
        } finally {
            clock.reset();
        }
    }

    /** The campaign's results over REST, every number read as a double. */
    public static JsonPath results(String campaign) {
        return given().get("/campaigns/{id}/results", campaign).then().statusCode(200).extract().jsonPath()
                .using(new JsonPathConfig(JsonPathConfig.NumberReturnType.DOUBLE));
    }
}
