package io.memberpulse.campaign.api.rest;

import static io.memberpulse.campaign.testdata.ChurnEvents.T1;
import static io.memberpulse.campaign.testdata.ChurnEvents.scored;
import static io.memberpulse.campaign.testdata.SegmentEvents.change;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.memberpulse.campaign.PlanCampaignsService;
import io.memberpulse.campaign.SimulatedClock;
import io.memberpulse.campaign.WithKafkaCompanion;
import io.memberpulse.campaign.domain.experiment.Arm;
import io.memberpulse.campaign.domain.experiment.Assignment;
import io.memberpulse.campaign.domain.experiment.Campaign;
import io.memberpulse.campaign.testdata.Campaigns;
import io.memberpulse.campaign.testdata.ChurnEvents;
import io.memberpulse.campaign.testdata.SegmentEvents;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A call campaign left LIVE past its end (README, a campaign's end). The background job moves it to review once the
 * service's clock (set here) passes its end, and a call recorded after the end costs it nothing, also before the job
 * ran.
 */
@QuarkusTest
class CampaignEndTest extends WithKafkaCompanion {
    static final Instant ENTERED = Instant.parse("2025-06-01T08:00:00Z");
    static final Instant END = Instant.parse("2025-06-20T00:00:00Z");
    /** While the campaigns run. */
    static final Instant DURING = Instant.parse("2025-06-10T09:00:00Z");
    static final Duration WAIT = Duration.ofSeconds(45);

    @Inject
    Pool database;

    @Inject
    PlanCampaignsService campaigns;

    @Inject
    SimulatedClock clock;

    String run;

    @BeforeEach
    void connect() {
        SegmentEvents.register(kafka);
        run = ChurnEvents.run();
        clock.set(DURING);
    }

    @AfterEach
    void close() {
        clock.reset();
    }

    /**
     * A call staff record once the service's clock has passed the campaign's end is not the campaign's: its gain could never
     * count (revenue is cut at the end), so it neither costs it nor counts as its response, though the campaign is
     * still LIVE (the job has not run yet) and the call was tagged for it.
     */
    @Test
    void aCallRecordedAfterTheEndCostsTheCampaignNothingEvenWhileItIsStillLive() throws Throwable {
        String store = "ce-" + run;
        List<String> everyone = churnEdgeMembersScoredIn("ce", store);
        String campaign = goLive(store, END);
        List<String> treated = treated(campaign, everyone);
        assertThat(treated).hasSizeGreaterThan(1);

        call(openTaskOf(treated.get(0), campaign));
        results(campaign).body("cost", equalTo(6.0f));

        clock.set(END.plus(Duration.ofMinutes(1)));
        call(openTaskOf(treated.get(1), campaign));

        given().get("/campaigns/{id}", campaign).then().statusCode(200).body("state", equalTo("LIVE"));
        assertThat(count("SELECT count(*) FROM task_outcome o JOIN call_task t ON t.id = o.task_id WHERE t.campaign_id = $1",
                campaign)).isEqualTo(2);
        results(campaign).body("cost", equalTo(6.0f));
        given().get("/campaigns/{id}/monitor", campaign).then().statusCode(200).body("overall.treated.participated", equalTo(1));
    }

    /**
     * A LIVE call campaign whose end the clock passes is moved to review by the background job (run here directly
     * rather than by its timer): its OPEN calls leave it (still on the staff list as the SOP's, no longer the
     * campaign's), a member newly meeting its target is not enrolled and their new call is not its, and its cost stays
     * what was called before the end. A campaign whose window has not ended is left live.
     */
    @Test
    void aLiveCallCampaignPastItsEndIsMovedToReviewAndNoNewCallCountsForIt() throws Throwable {
        String store = "cf-" + run;
        List<String> everyone = churnEdgeMembersScoredIn("cf", store);
        String campaign = goLive(store, END);
        String running = goLive(store, END.plus(Duration.ofDays(30)), "sms");
        List<String> treated = treated(campaign, everyone);
        assertThat(treated).hasSizeGreaterThan(1);
        call(openTaskOf(treated.get(0), campaign));
        await().atMost(WAIT).untilAsserted(() -> assertThat(callList(store).getList("tasks.campaignId", String.class))
                .contains(campaign));

        assertThat(VertxContextSupport.subscribeAndAwait(() -> campaigns.endCampaignsPastTheirEnd()))
                .extracting(Campaign::id).doesNotContain(campaign, running);
        clock.set(END);
        List<Campaign> ended = VertxContextSupport.subscribeAndAwait(() -> campaigns.endCampaignsPastTheirEnd());

        assertThat(ended).extracting(Campaign::id).contains(campaign).doesNotContain(running);
        given().get("/campaigns/{id}", campaign).then().statusCode(200).body("state", equalTo("REVIEW"))
                .body("endAt", equalTo(END.toString()));
        given().get("/campaigns/{id}", running).then().statusCode(200).body("state", equalTo("LIVE"));
        assertThat(count("SELECT count(*) FROM call_task WHERE campaign_id = $1 AND status = 'OPEN'", campaign)).isZero();
        // Released, not cancelled: the treated members' calls stay on the list, counting for no campaign.
        List<String> stillCalled = treated.subList(1, treated.size());
        await().atMost(WAIT).untilAsserted(() -> {
            JsonPath list = callList(store);
            assertThat(list.getList("tasks.campaignId", String.class)).doesNotContain(campaign);
            assertThat(list.getList("tasks.memberId", String.class)).containsAll(stillCalled);
        });

        // Scored high in the store now: the SOP calls them, for no campaign, and the ended one does not enrol them.
        String newcomer = "cf-" + run + "-new";
        ChurnEvents.publish(kafka, List.of(scored(newcomer, store, 0.95, 500, T1)));
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM call_task WHERE member_id = $1 AND status = 'OPEN'",
                newcomer) == 1);
        assertThat(count("SELECT count(*) FROM call_task WHERE member_id = $1 AND campaign_id IS NOT NULL", newcomer)).isZero();
        assertThat(count("SELECT count(*) FROM campaign_member WHERE member_id = $1 AND campaign_id = $2", newcomer, campaign))
                .isZero();

        // Calls made now, on its former calls and the new one, cost it nothing.
        call(openTaskOf(treated.get(1), null));
        call(openTaskOf(newcomer, null));
        results(campaign).body("cost", equalTo(6.0f));
        // Ended once: a second run finds nothing more to end.
        assertThat(VertxContextSupport.subscribeAndAwait(() -> campaigns.endCampaignsPastTheirEnd()))
                .extracting(Campaign::id).doesNotContain(campaign, running);
    }

    /**
     * 20 members who entered churn-edge in the store, each with the segment rule's OPEN call, then scored there under
     * the SOP's probability floor, so that only the segment rule calls them.
     */
    private List<String> churnEdgeMembersScoredIn(String prefix, String store) {
        List<String> everyone = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            everyone.add(prefix + "-" + run + "-" + i);
        }
        SegmentEvents.publish(kafka, everyone.stream().map(m -> change(m, "churn-edge", true, ENTERED, store)).toList());
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM call_task WHERE member_id = ANY($1) AND status = 'OPEN'",
                everyone) == everyone.size());
        ChurnEvents.publish(kafka, everyone.stream().map(m -> scored(m, store, 0.3, 50, T1)).toList());
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM member_risk WHERE member_id = ANY($1)",
                everyone) == everyone.size());
        return everyone;
    }

    private static String goLive(String store, Instant end) {
        return goLive(store, end, "call");
    }

    /** A call or sms campaign of the store's scored members over the month up to {@code end}, live. */
    private static String goLive(String store, Instant end, String channel) {
        String campaign = given().contentType(ContentType.JSON).body("""
                {"name": "calls", "targetMinProbability": 0.2, "targetStoreId": "%s", "channel": "%s",
                 "startAt": "%s", "endAt": "%s", "holdoutShare": 0.5}"""
                .formatted(store, channel, end.minus(Duration.ofDays(30)), end))
                .post("/campaigns").then().statusCode(201).extract().path("campaign.id");
        Campaigns.goLive(campaign);
        return campaign;
    }

    private static List<String> treated(String campaign, List<String> members) {
        return members.stream().filter(m -> Assignment.of(campaign, m, 0.5, List.of()).arm() == Arm.TREATED).toList();
    }

    /** The member's OPEN task (id, version), counting for the campaign (null: for none). */
    private Object[] openTaskOf(String member, String campaign) {
        Row row = database.preparedQuery("SELECT id, version, campaign_id FROM call_task WHERE member_id = $1 AND status = 'OPEN'")
                .execute(Tuple.of(member)).await().indefinitely().iterator().next();
        assertThat(row.getString(2)).as("campaign of %s's call", member).isEqualTo(campaign);
        return new Object[] {row.getString(0), row.getLong(1)};
    }

    /** Staff reached the member on the call. */
    private static void call(Object[] task) {
        given().contentType(ContentType.JSON).body("{\"reached\": true, \"result\": \"will_return\", \"version\": " + task[1] + "}")
                .post("/tasks/{id}/outcome", task[0]).then().statusCode(200);
    }

    private static io.restassured.response.ValidatableResponse results(String campaign) {
        return given().get("/campaigns/{id}/results", campaign).then().statusCode(200);
    }

    private static JsonPath callList(String store) {
        return given().queryParam("limit", 100).get("/stores/{s}/call-list", store).then().statusCode(200)
                .extract().jsonPath();
    }

    private long count(String sql, List<String> members) {
        return database.preparedQuery(sql).execute(Tuple.of(members.toArray(String[]::new))).await().indefinitely()
                .iterator().next().getLong(0);
    }

    private long count(String sql, Object... arguments) {
        Tuple tuple = Tuple.tuple();
        for (Object argument : arguments) {
            tuple.addValue(Objects.requireNonNull(argument));
        }
        return database.preparedQuery(sql).execute(tuple).await().indefinitely().iterator().next().getLong(0);
    }
}
