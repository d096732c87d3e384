package io.memberpulse.campaign.api.rest;

import static io.memberpulse.campaign.testdata.ChurnEvents.T1;
import static io.memberpulse.campaign.testdata.ChurnEvents.scored;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.memberpulse.campaign.WithKafkaCompanion;
import io.memberpulse.campaign.domain.MemberRisk;
import io.memberpulse.campaign.domain.experiment.Arm;
import io.memberpulse.campaign.domain.experiment.Assignment;
import io.memberpulse.campaign.domain.experiment.CallArms;
import io.memberpulse.campaign.domain.experiment.Campaign;
import io.memberpulse.campaign.store.CampaignRepository;
import io.memberpulse.campaign.testdata.Campaigns;
import io.memberpulse.campaign.testdata.ChurnEvents;
import io.memberpulse.campaign.testdata.SegmentEvents;
import io.memberpulse.devstack.testing.AuthTestResource;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two live call campaigns whose targets overlap (README, overlapping call campaigns): a member is enrolled in the
 * first that takes them, never in another call campaign whose window overlaps it. A call task carries one campaign,
 * so a member in both would be called once for one of them while the other counted them as treated without the call
 * or its cost, or held them out while the other counted them as treated.
 */
@QuarkusTest
class CallCampaignOverlapTest extends WithKafkaCompanion {
    static final Duration WAIT = Duration.ofSeconds(45);

    @Inject
    Pool database;

    @Inject
    CampaignRepository campaigns;

    /** The serdes of the payloads this test publishes or reads, beside ChurnScored's. */
    @BeforeEach
    void registerSerdes() {
        SegmentEvents.register(kafka);
    }

    @Test
    void aMemberIsInOneOverlappingCallCampaignAndEachCountsOnlyItsOwnCalls() {
        String run = ChurnEvents.run();
        String store = "ov-" + run;
        Campaigns.knownStore(kafka, store, run);
        String window = "\"startAt\": \"" + Campaigns.startAroundNow() + "\", \"endAt\": \""
                + Campaigns.startAroundNow().plus(Campaigns.WINDOW) + "\"";
        // The first targets the store's riskiest, the second everyone at 0.5 or above there: the riskiest meet both.
        String first = Campaigns.planned("""
                {"name": "first", "targetMinProbability": 0.8, "targetStoreId": "%s", "channel": "call",
                 "holdoutShare": 0.5, %s}""".formatted(store, window));
        String second = Campaigns.planned("""
                {"name": "second", "targetMinProbability": 0.5, "targetStoreId": "%s", "channel": "call",
                 "holdoutShare": 0.5, %s}""".formatted(store, window));
        // Treated in both: the store's riskiest, whose SOP call counts for the first.
        String calledForFirst = Campaigns.members("both", run, 1,
                m -> arm(first, m) == Arm.TREATED && arm(second, m) == Arm.TREATED).get(0);
        // Held out of the first, treated in the second: never called while the first runs.
        String heldOutOfFirst = Campaigns.members("hf", run, 1,
                m -> arm(first, m) == Arm.HOLDOUT && arm(second, m) == Arm.TREATED).get(0);
        // Only the second targets these; its treated one enters churn-edge and gets that rule's call.
        String calledForSecond = Campaigns.members("only", run, 1, m -> arm(second, m) == Arm.TREATED).get(0);
        List<String> secondOnly = new ArrayList<>(List.of(calledForSecond));
        secondOnly.addAll(Campaigns.members("rest", run, 3, m -> true));
        List<String> riskiest = List.of(calledForFirst, heldOutOfFirst);
        ChurnEvents.publish(kafka, List.of(scored(calledForFirst, store, 0.95, 500, T1), scored(heldOutOfFirst, store, 0.9, 400, T1)));
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM member_risk WHERE member_id = ANY($1)", riskiest) == 2);
        ChurnEvents.publish(kafka, secondOnly.stream().map(m -> scored(m, store, 0.6, 100, T1)).toList());
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM member_risk WHERE member_id = ANY($1)", secondOnly)
                == secondOnly.size());

        Campaigns.goLive(first);
        Campaigns.goLive(second);
        SegmentEvents.publish(kafka, List.of(SegmentEvents.change(calledForSecond, "churn-edge", true, Instant.now(), store)));

        List<String> everyone = new ArrayList<>(List.of(calledForFirst, heldOutOfFirst));
        everyone.addAll(secondOnly);
        for (String member : everyone) {
            assertThat(count("SELECT count(*) FROM campaign_member WHERE member_id = $2 AND campaign_id = ANY($1)",
                    List.of(first, second), member)).as("the call campaigns %s is enrolled in", member).isEqualTo(1);
        }
        assertThat(enrolled(first)).containsExactlyInAnyOrder(calledForFirst, heldOutOfFirst);
        assertThat(enrolled(second)).containsExactlyInAnyOrderElementsOf(secondOnly);
        given().get("/campaigns/{id}/members/{m}/assignment", second, calledForFirst).then().statusCode(404);

        String firstCall = await().atMost(WAIT).until(() -> openTask(calledForFirst), task -> task != null && first.equals(task[1]))[0];
        String secondCall = await().atMost(WAIT).until(() -> openTask(calledForSecond), task -> task != null && second.equals(task[1]))[0];
        assertThat(openTask(heldOutOfFirst)).as("held out of the first").isNull();
        record(store, firstCall);
        record(store, secondCall);

        JsonPath firstResults = Campaigns.results(first);
        assertThat(firstResults.getDouble("treated.members") + firstResults.getDouble("holdout.members")).isEqualTo(2);
        assertThat(firstResults.getDouble("cost")).as("its one call").isEqualTo(6);
        assertThat(firstResults.getDouble("excludedForOverlap")).isZero();
        JsonPath secondResults = Campaigns.results(second);
        assertThat(secondResults.getDouble("treated.members") + secondResults.getDouble("holdout.members"))
                .isEqualTo(secondOnly.size());
        assertThat(secondResults.getDouble("cost")).as("its one call, not the first's").isEqualTo(6);
        assertThat(secondResults.getDouble("excludedForOverlap")).as("enrolled in the first").isEqualTo(2);

        // Ended, so later tests' replans do not read them.
        for (String campaign : List.of(first, second)) {
            given().contentType(ContentType.JSON).body("{\"state\": \"review\"}").post("/campaigns/{id}/state", campaign)
                    .then().statusCode(200);
        }
    }

    /**
     * Two call campaigns going live at once on two replicas enrol the same member in one of them (README, overlapping
     * call campaigns): each reads whether another campaign has them, then enrols.
     */
    @Test
    void twoCallCampaignsGoingLiveAtOnceEnrolAMemberInOne() throws Throwable {
        enrolAtOnce((both, member, now) -> both.stream().map(campaign -> campaigns.enrol(campaign, now)).toList());
    }

    /** A call campaign going live while a replan enrols the member in another, live one, on another replica. */
    @Test
    void aReplanEnrollingAMemberWhileAnotherCampaignGoesLiveEnrolsThemInOne() throws Throwable {
        enrolAtOnce((both, member, now) -> List.of(campaigns.enrol(both.get(0), now),
                campaigns.enrolCalls(List.of(both.get(1).id()), List.of(member.memberId()), List.of(member.memberId()), now,
                        (enrolled, elsewhere) -> CallArms.of(List.of(both.get(1)), List.of(member), enrolled, elsewhere,
                                (m, segment) -> false))));
    }

    /** Two enrolment passes of one member, one in each of two overlapping call campaigns, started at once. */
    private interface Passes {
        List<? extends Uni<?>> start(List<Campaign> both, MemberRisk member, Instant now);
    }

    /**
     * Runs the two passes at once and checks the member ends in one campaign and excluded from the other. An
     * uncommitted enrolment of the member in both campaigns, held open on a third connection, makes both passes wait
     * at their insert after reading that no other campaign has them (unless something makes the second wait before it
     * reads); rolled back, it lets both go on.
     */
    private void enrolAtOnce(Passes passes) throws Throwable {
        String run = ChurnEvents.run();
        String store = "ovr-" + run;
        Campaigns.knownStore(kafka, store, run);
        String window = "\"startAt\": \"" + Campaigns.startAroundNow() + "\", \"endAt\": \""
                + Campaigns.startAroundNow().plus(Campaigns.WINDOW) + "\"";
        List<String> ids = new ArrayList<>();
        for (String name : List.of("one", "other")) {
            ids.add(Campaigns.planned("""
                    {"name": "%s", "targetMinProbability": 0.5, "targetStoreId": "%s", "channel": "call",
                     "holdoutShare": 0.5, %s}""".formatted(name, store, window)));
        }
        MemberRisk member = new MemberRisk("race-" + run, store, 0.9, 100, T1);
        Campaigns.scoredIn(kafka, database, store, List.of(member.memberId()));
        List<Campaign> both = new ArrayList<>();
        for (String id : ids) {
            both.add(VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(() -> campaigns.campaign(id))));
        }

        SqlConnection blocker = database.getConnection().await().indefinitely();
        try {
            Transaction held = blocker.begin().await().indefinitely();
            for (String id : ids) {
                blocker.preparedQuery("""
                        INSERT INTO campaign_member (campaign_id, member_id, arm, enrolled_at) VALUES ($1, $2, 'TREATED', now())""")
                        .execute(Tuple.of(id, member.memberId())).await().indefinitely();
            }
            List<CompletableFuture<?>> running = passes.start(both, member, Instant.now()).stream()
                    .<CompletableFuture<?>>map(Uni::subscribeAsCompletionStage).toList();
            // Both waiting on a lock: at the insert, or (one of them) before reading.
            await().atMost(WAIT).until(() -> database.query("""
                    SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
                      AND (query LIKE 'INSERT INTO campaign_member%' OR query LIKE '%pg_advisory_xact_lock%')""")
                    .execute().await().indefinitely().iterator().next().getLong(0) == 2);
            held.rollback().await().indefinitely();
            for (CompletableFuture<?> pass : running) {
                pass.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            blocker.close().await().indefinitely();
        }

        List<String> enrolledIn = new ArrayList<>();
        database.preparedQuery("SELECT campaign_id FROM campaign_member WHERE member_id = $1").execute(Tuple.of(member.memberId()))
                .await().indefinitely().forEach(row -> enrolledIn.add(row.getString(0)));
        assertThat(enrolledIn).as("the campaigns %s is enrolled in", member.memberId()).hasSize(1);
        String other = ids.get(0).equals(enrolledIn.get(0)) ? ids.get(1) : ids.get(0);
        assertThat(count("SELECT count(*) FROM campaign_overlap_exclusion WHERE member_id = $2 AND campaign_id = $1[1] "
                + "AND enrolled_in = $1[2]", List.of(other, enrolledIn.get(0)), member.memberId()))
                .as("excluded from the other").isEqualTo(1);
    }

    private void record(String store, String taskId) {
        long version = database.preparedQuery("SELECT version FROM call_task WHERE id = $1").execute(Tuple.of(taskId))
                .await().indefinitely().iterator().next().getLong(0);
        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + AuthTestResource.staff(store))
                .body(OutcomeResourceTest.body(true, "will_return", "", version))
                .post("/tasks/{id}/outcome", taskId).then().statusCode(200);
    }

    /** The member's OPEN task: its id and the campaign it counts for; null when there is none. */
    private String[] openTask(String member) {
        var rows = database.preparedQuery("SELECT id::text, campaign_id FROM call_task WHERE member_id = $1 AND status = 'OPEN'")
                .execute(Tuple.of(member)).await().indefinitely().iterator();
        if (!rows.hasNext()) {
            return null;
        }
        Row row = rows.next();
        return new String[] {row.getString(0), row.getString(1)};
    }

    private List<String> enrolled(String campaign) {
        List<String> members = new ArrayList<>();
        database.preparedQuery("SELECT member_id FROM campaign_member WHERE campaign_id = $1").execute(Tuple.of(campaign))
                .await().indefinitely().forEach(row -> members.add(row.getString(0)));
        return members;
    }

    private long count(String sql, List<String> members) {
        return database.preparedQuery(sql).execute(Tuple.of(members.toArray(String[]::new))).await().indefinitely()
                .iterator().next().getLong(0);
    }

    private long count(String sql, List<String> campaigns, String member) {
        return database.preparedQuery(sql).execute(Tuple.of(campaigns.toArray(String[]::new), member)).await().indefinitely()
                .iterator().next().getLong(0);
    }

    private static Arm arm(String campaign, String member) {
        return Assignment.of(campaign, member, 0.5, List.of()).arm();
    }
}
