package io.memberpulse.campaign.stream.in;

import static io.memberpulse.campaign.testdata.DeadLetters.deadLetter;
import static io.memberpulse.campaign.testdata.DeadLetters.header;
import static io.memberpulse.campaign.testdata.ChurnEvents.T1;
import static io.memberpulse.campaign.testdata.ChurnEvents.scored;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.google.protobuf.Timestamp;
import io.memberpulse.campaign.WithKafkaCompanion;
import io.memberpulse.campaign.store.ContactRepository;
import io.memberpulse.campaign.store.IdentityChangeRepository;
import io.memberpulse.campaign.store.PurchaseRepository;
import io.memberpulse.campaign.testdata.Campaigns;
import io.memberpulse.campaign.testdata.ChurnEvents;
import io.memberpulse.campaign.testdata.MemberEvents;
import io.memberpulse.campaign.testdata.SegmentEvents;
import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.proto.churn.v1.ChurnScored;
import io.memberpulse.proto.identity.v1.Identifiers;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.MemberIdentityChange;
import io.memberpulse.proto.identity.v1.MemberMerged;
import io.memberpulse.proto.identity.v1.MemberSplit;
import io.memberpulse.proto.identity.v1.SplitPart;
import io.memberpulse.proto.kafka.Topics;
import io.memberpulse.proto.merges.IdentityChanges;
import io.memberpulse.proto.segments.v1.SegmentChanged;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** member.merges: one person, one OPEN call task; facts and late records of an absorbed member follow it. */
@QuarkusTest
class MemberMergeTest extends WithKafkaCompanion {
    private static final Duration WAIT = Duration.ofSeconds(45);

    @Inject
    Pool database;

    @Inject
    PurchaseRepository purchases;

    @Inject
    ContactRepository contacts;

    @Inject
    IdentityChangeRepository identities;

    String run;
    /** The member a merge absorbs, and the one it survives as (this run's). */
    String absorbed;
    String survivor;

    @BeforeEach
    void connect() {
        MemberEvents.register(kafka);
        SegmentEvents.register(kafka);
        run = ChurnEvents.run();
        absorbed = "a-" + run;
        survivor = "s-" + run;
    }

    @Test
    void theAbsorbedMembersTaskBecomesTheSurvivorsAndALateScoreUnderItChangesNothing() {
        String store = "mx-" + run;
        // Two members of one store: the top 10% (one member) is the absorbed one.
        ChurnEvents.publish(kafka, List.of(scored(absorbed, store, 0.9, 200.0, T1), scored(survivor, store, 0.7, 100.0, T1)));
        await().atMost(WAIT).untilAsserted(() -> assertThat(callList(store)).containsExactly(absorbed));
        String taskId = openTasks(absorbed).get(0);

        MemberIdentityChange merge = absorbedIntoSurvivorNow();
        produce(merge);

        // The call already on the list is the person's: same task, now the survivor's (the survivor has no other).
        await().atMost(WAIT).untilAsserted(() -> assertThat(callList(store)).containsExactly(survivor));
        assertThat(openTasks(absorbed)).isEmpty();
        assertThat(openTasks(survivor)).containsExactly(taskId);
        assertThat(riskOf(absorbed)).isEmpty();

        // A score still arriving under the absorbed id was made from the absorbed member's facts alone, before churn
        // applied the merge: it changes nothing, even dated later than the survivor's, and its store does not move the
        // survivor's call. A re-delivered merge changes nothing either.
        produce(merge);
        awaitMergesAppliedThrough(absorbed);
        ChurnEvents.publish(kafka, List.of(scored(absorbed, "elsewhere-" + run, 0.95, 300.0, T1.plus(1, ChronoUnit.DAYS))));
        // churn's score of the survivor, from the person's whole history, is what counts
        ChurnEvents.publish(kafka, List.of(scored(survivor, store, 0.6, 320.0, T1.plus(2, ChronoUnit.DAYS))));
        await().atMost(WAIT).untilAsserted(() -> assertThat(riskOf(survivor)).hasValue(0.6));
        assertThat(riskOf(absorbed)).isEmpty();
        // as late as the survivor's, and after it; a marker behind it on its partition tells when it has been taken
        String marker = "marker-" + run;
        kafka.produce(String.class, ChurnScored.class).fromRecords(
                new ProducerRecord<>(Topics.CHURN_SCORES, 0, absorbed,
                        scored(absorbed, "elsewhere-" + run, 0.99, 300.0, T1.plus(2, ChronoUnit.DAYS))),
                new ProducerRecord<>(Topics.CHURN_SCORES, 0, marker, scored(marker, marker, 0.1, 1.0, T1)))
                .awaitCompletion();
        await().atMost(WAIT).untilAsserted(() -> assertThat(riskOf(marker)).isPresent());
        assertThat(riskOf(survivor)).hasValue(0.6);
        assertThat(riskOf(absorbed)).isEmpty();
        assertThat(callList(store)).containsExactly(survivor);
        assertThat(openTasks(survivor)).containsExactly(taskId);
        assertThat(openTasks(absorbed)).isEmpty();
    }

    /**
     * A merge moves the absorbed member's OPEN task to the survivor's home store. Staff of the old store whose outcome
     * had checked the task before the move committed wrote their copy back over it: the task closed, and back on the
     * old store and member. Here their outcome is held after reading the task (task_outcome locked) while the merge
     * commits: it is decided again on the task as moved, and, sent with the version their list carried within
     * late-outcome-grace of the move, recorded there.
     */
    @Test
    void anOutcomeCheckedBeforeAMergeMovedTheTaskIsRecordedOnTheTaskAsMoved() throws Exception {
        String storeX = "mx-" + run;
        String storeY = "my-" + run;
        ListedCall call = absorbedCalledFromXWhileTheSurvivorHasNoneAtY(storeX, storeY);
        String taskId = call.taskId();
        long version = call.version();

        SqlConnection holder = database.getConnection().await().indefinitely();
        CompletableFuture<Integer> outcome;
        try {
            Transaction holding = holder.begin().await().indefinitely();
            holder.query("LOCK TABLE task_outcome IN ACCESS EXCLUSIVE MODE").execute().await().indefinitely();
            outcome = CompletableFuture.supplyAsync(() -> given()
                    .header("Authorization", "Bearer " + AuthTestResource.staff(storeX))
                    .contentType(ContentType.JSON)
                    .body("{\"reached\": false, \"result\": \"not_reached\", \"version\": " + version + "}")
                    .post("/tasks/{id}/outcome", taskId).then().extract().statusCode());
            await().atMost(WAIT).until(() -> outcomesWaitingAfterReadingTheTask() > 0);
            applyWithoutReplanning(absorbedIntoSurvivorNow());
            holding.commit().await().indefinitely();
        } finally {
            holder.close().await().indefinitely();
        }

        assertThat(outcome.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(200);
        Row task = memberStoreAndStatus(taskId);
        assertThat(task.getString(0)).isEqualTo(survivor);
        assertThat(task.getString(1)).isEqualTo(storeY);
        assertThat(task.getString(2)).isEqualTo("DONE");
        assertThat(database.preparedQuery("SELECT member_id FROM task_outcome WHERE task_id = $1").execute(Tuple.of(taskId))
                .await().indefinitely().iterator().next().getString(0)).isEqualTo(survivor);
    }

    /**
     * A merge moving the absorbed member's OPEN task to the survivor's home store leaves the call the old store's staff
     * made from their list theirs to record within late-outcome-grace, as a move of home store does.
     */
    @Test
    void theStoreAMergeMovedTheTaskFromRecordsTheCallWithTheVersionItsListCarried() {
        String storeX = "mx-" + run;
        String storeY = "my-" + run;
        ListedCall call = absorbedCalledFromXWhileTheSurvivorHasNoneAtY(storeX, storeY);
        String taskId = call.taskId();
        long version = call.version();

        // Applied as the consumer does, without its replan after (which may drop the survivor's call for risk fell).
        applyWithoutReplanning(absorbedIntoSurvivorNow());
        assertThat(openTasks(survivor)).containsExactly(taskId);
        assertThat(callList(storeY)).contains(survivor);

        given().header("Authorization", "Bearer " + AuthTestResource.staff(storeX)).contentType(ContentType.JSON)
                .body("{\"reached\": true, \"result\": \"will_return\", \"version\": " + version + "}")
                .post("/tasks/{id}/outcome", taskId).then().statusCode(200);
        Row task = memberStoreAndStatus(taskId);
        assertThat(task.getString(0)).isEqualTo(survivor);
        assertThat(task.getString(1)).isEqualTo(storeY);
        assertThat(task.getString(2)).isEqualTo("DONE");
        assertThat(callList(storeY)).doesNotContain(survivor);
    }

    /** A call as the store's list showed it: the task, and the version its outcome goes back with. */
    private record ListedCall(String taskId, long version) {
    }

    /**
     * The absorbed member's call, the one of store X's list; the survivor's home store is Y, where another member has
     * the store's one call: the survivor has none.
     */
    private ListedCall absorbedCalledFromXWhileTheSurvivorHasNoneAtY(String storeX, String storeY) {
        ChurnEvents.publish(kafka, List.of(scored(absorbed, storeX, 0.9, 200.0, T1), scored(survivor, storeY, 0.2, 100.0, T1),
                scored("z-" + run, storeY, 0.9, 100.0, T1)));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(callList(storeX)).containsExactly(absorbed);
            assertThat(riskOf(survivor)).isPresent();
        });
        var list = given().get("/stores/{store}/call-list", storeX).then().extract().jsonPath();
        return new ListedCall(list.getString("tasks[0].taskId"), list.getLong("tasks[0].version"));
    }

    /** Applies the change as the consumer does, in this thread, without the store replan the consumer runs after. */
    private IdentityChangeRepository.Applied applyWithoutReplanning(MemberIdentityChange change) {
        return identities.apply(IdentityChanges.toDomain(change), Instant.now()).await().indefinitely();
    }

    /** The task's member_id, store_id and status. */
    private Row memberStoreAndStatus(String taskId) {
        return database.preparedQuery("SELECT member_id, store_id, status FROM call_task WHERE id = $1")
                .execute(Tuple.of(taskId)).await().indefinitely().iterator().next();
    }

    /** Outcomes waiting for task_outcome after reading their task (not the relay's look for unpublished ones). */
    private long outcomesWaitingAfterReadingTheTask() {
        return database.query("""
                SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%from task_outcome%'
                  AND query NOT ILIKE '%published_at is null%' AND datname = current_database()""")
                .execute().await().indefinitely().iterator().next().getLong(0);
    }

    @Test
    void whenBothHaveAnOpenTaskTheAbsorbedMembersIsCancelledAndLeavesItsStoresList() {
        String storeX = "mx-" + run;
        String storeY = "my-" + run;
        ChurnEvents.publish(kafka, List.of(scored(absorbed, storeX, 0.9, 200.0, T1), scored(survivor, storeY, 0.8, 100.0, T1)));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(callList(storeX)).containsExactly(absorbed);
            assertThat(callList(storeY)).containsExactly(survivor);
        });
        String absorbedTask = openTasks(absorbed).get(0);

        produce(absorbedIntoSurvivorNow());

        await().atMost(WAIT).untilAsserted(() -> assertThat(callList(storeX)).isEmpty());
        assertThat(callList(storeY)).containsExactly(survivor);
        assertThat(openTasks(absorbed)).isEmpty();
        assertThat(openTasks(survivor)).hasSize(1);
        Row cancelled = database.preparedQuery("SELECT status, close_reason FROM call_task WHERE id = $1")
                .execute(Tuple.of(absorbedTask)).await().indefinitely().iterator().next();
        assertThat(cancelled.getString(0)).isEqualTo("CANCELLED");
        assertThat(cancelled.getString(1)).isEqualTo("merged into another member");
    }

    @Test
    void aMemberWhoOptedOutIsNotCalledUnderTheIdTheyWereMergedInto() {
        String store = "mo-" + run;
        String other = "o-" + run;
        ChurnEvents.publish(kafka, List.of(scored(absorbed, store, 0.9, 200.0, T1)));
        await().atMost(WAIT).untilAsserted(() -> assertThat(callList(store)).containsExactly(absorbed));
        var list = given().get("/stores/{store}/call-list", store).then().extract().jsonPath();
        String taskId = list.getString("tasks[0].taskId");
        given().contentType(ContentType.JSON)
                .body("{\"reached\": true, \"result\": \"opted_out\", \"version\": " + list.getLong("tasks[0].version") + "}")
                .post("/tasks/{id}/outcome", taskId).then().statusCode(200);
        // long enough ago that no cool-down holds the person back: only the opt-out does
        database.preparedQuery("UPDATE call_task SET closed_at = closed_at - interval '30 days' WHERE id = $1")
                .execute(Tuple.of(taskId)).await().indefinitely();

        produce(absorbedIntoSurvivorNow());
        await().atMost(WAIT).until(() -> survivorOf(absorbed).isPresent());
        ChurnEvents.publish(kafka, List.of(scored(survivor, store, 0.97, 300.0, T1.plus(1, ChronoUnit.DAYS)),
                scored(other, store, 0.5, 100.0, T1.plus(1, ChronoUnit.DAYS))));

        // the store's one SOP call goes to the next member: the person said no as the absorbed member
        await().atMost(WAIT).untilAsserted(() -> assertThat(callList(store)).containsExactly(other));
        assertThat(openTasks(survivor)).isEmpty();
    }

    /**
     * A chain A→B→C whose later link, B→C, arrived first (another partition) and is applied: A, scored in the store,
     * holds its one call (the list read, so cached), and A→B, which happened {@code first}, is yet to come.
     */
    private record Chain(String store, String a, String b, String c, Instant first) {
    }

    private Chain chainWhoseLaterLinkIsApplied(String storePrefix) {
        String store = storePrefix + run;
        String a = "a-" + run;
        ChurnEvents.publish(kafka, List.of(scored(a, store, 0.9, 200.0, T1)));
        await().atMost(WAIT).untilAsserted(() -> assertThat(callList(store)).containsExactly(a));
        Chain chain = new Chain(store, a, "b-" + run, "c-" + run, Instant.now());
        produce(merged(chain.b(), chain.c(), chain.first().plusSeconds(60)));
        await().atMost(WAIT).untilAsserted(() -> assertThat(survivorOf(chain.b())).hasValue(chain.c()));
        return chain;
    }

    @Test
    void aChainThatArrivesBackwardsEndsOnItsLastSurvivorAndASplitUndoesTheAlias() {
        // B→C happened after A→B, but arrives first (another partition).
        Chain chain = chainWhoseLaterLinkIsApplied("mc-");
        String store = chain.store();
        String a = chain.a();
        String b = chain.b();
        String c = chain.c();
        produce(merged(a, b, chain.first()));

        await().atMost(WAIT).untilAsserted(() -> assertThat(callList(store)).containsExactly(c));
        assertThat(survivorOf(a)).hasValue(c);
        assertThat(openTasks(a)).isEmpty();
        assertThat(openTasks(b)).isEmpty();
        assertThat(openTasks(c)).hasSize(1);
        assertThat(riskOf(c)).hasValue(0.9);

        // The merge A→B undone: A is its own member again, and its new score stays with it.
        produce(split(c, "two people", a));
        await().atMost(WAIT).untilAsserted(() -> assertThat(survivorOf(a)).isEmpty());
        assertThat(survivorOf(b)).hasValue(c);
        ChurnEvents.publish(kafka, List.of(scored(a, store, 0.6, 50.0, T1.plus(2, ChronoUnit.DAYS))));
        await().atMost(WAIT).untilAsserted(() -> assertThat(riskOf(a)).hasValue(0.6));
        assertThat(riskOf(c)).hasValue(0.9);
    }

    @Test
    void aMergeDeliveredAgainAfterACrashReplansTheStoreOfTheLastSurvivorOfItsChain() {
        Chain chain = chainWhoseLaterLinkIsApplied("mr-");

        // A→B is applied (A's task and risk go on to C), and the replica dies before replanning; A→B is delivered again.
        MemberIdentityChange aIntoB = merged(chain.a(), chain.b(), chain.first());
        assertThat(applyWithoutReplanning(aIntoB).applied()).isTrue();
        assertThat(openTasks(chain.c())).hasSize(1);
        produce(aIntoB);

        // The store was replanned and its cached list dropped: the call is C's.
        await().atMost(WAIT).untilAsserted(() -> assertThat(callList(chain.store())).containsExactly(chain.c()));
    }

    /**
     * An absorbed member's facts all move to the survivor, so the assignment lookup found no member and answered 404.
     * The person's arm is the survivor's (their calls follow it, their purchases count for its enrolment); the
     * absorbed id's own enrolment stays as it was.
     */
    @Test
    void anAbsorbedMembersAssignmentIsTheSurvivorsWhileItsEnrolmentStaysUnderItsOwnId() {
        String store = "ma-" + run;
        ChurnEvents.publish(kafka, List.of(scored(absorbed, store, 0.9, 200.0, T1), scored(survivor, store, 0.8, 100.0, T1)));
        await().atMost(WAIT).untilAsserted(() -> assertThat(riskOf(survivor)).isPresent());
        await().atMost(WAIT).untilAsserted(() -> assertThat(riskOf(absorbed)).isPresent());
        // Ending far ahead: a campaign whose window has ended by the service's clock cannot go live.
        String campaign = given().contentType(ContentType.JSON).body("""
                {"name": "sms", "targetMinProbability": 0.5, "targetStoreId": "%s", "channel": "sms", "costPerTouch": 0.1,
                 "startAt": "2025-06-01T00:00:00Z", "endAt": "2099-07-01T00:00:00Z", "holdoutShare": 0.5}""".formatted(store))
                .post("/campaigns").then().statusCode(201).extract().path("campaign.id");
        Campaigns.goLive(campaign);
        Map<String, String> enrolled = enrolments(campaign);
        assertThat(enrolled).containsOnlyKeys(absorbed, survivor);
        given().get("/campaigns/{id}/members/{m}/assignment", campaign, absorbed).then().statusCode(200)
                .body("memberId", equalTo(absorbed)).body("arm", equalTo(enrolled.get(absorbed)));

        produce(absorbedIntoSurvivorNow());
        await().atMost(WAIT).untilAsserted(() -> assertThat(riskOf(absorbed)).isEmpty());

        given().get("/campaigns/{id}/members/{m}/assignment", campaign, absorbed).then().statusCode(200)
                .body("memberId", equalTo(survivor)).body("arm", equalTo(enrolled.get(survivor)));
        given().get("/campaigns/{id}/members/{m}/assignment", campaign, survivor).then().statusCode(200)
                .body("memberId", equalTo(survivor)).body("arm", equalTo(enrolled.get(survivor)));
        assertThat(enrolments(campaign)).isEqualTo(enrolled);
        given().contentType(ContentType.JSON).body("{\"state\": \"review\"}").post("/campaigns/{id}/state", campaign)
                .then().statusCode(200);
    }

    /**
     * member.events and member.merges are separate topics: a split may be applied before some of the events it moves
     * are consumed, and those still carry the original member. They were recorded for the original member for good
     * (the split moves purchase lines by their key only once), while rfm-service and churn-service give them to the part.
     */
    @Test
    void eventsASplitMovesThatArriveOnlyAfterItLandOnThePartOrWhereThePartWasMergedSince() {
        String original = "o-" + run;
        String part = "p-" + run;
        String store = "mp-" + run;
        MemberEvents.publish(kafka, List.of(order(original, "-1", store), order(original, "-2", store)));
        await().atMost(WAIT).untilAsserted(() -> assertThat(purchasesOf(original)).hasSize(2));
        produce(split(original, "two people", part, "pos:" + original + "-2", "pos:" + original + "-3",
                "SOURCE_CRM:" + original + "-c", "pos:" + original + "-4"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(purchasesOf(part)).containsExactly(original + "-2"));

        // A coupon redemption (source crm) and an order moved by the split, consumed only now.
        MemberEvents.publish(kafka, List.of(order(original, "-3", store), MemberEvents.coupon(original, original + "-c",
                false, "coupon-" + run, "campaign-" + run, 5, T1.plus(3, ChronoUnit.DAYS), store)));
        await().atMost(WAIT).untilAsserted(() -> assertThat(purchasesOf(part))
                .containsExactlyInAnyOrder(original + "-2", original + "-3", original + "-c"));
        assertThat(purchasesOf(original)).containsExactly(original + "-1");
        assertThat(couponHolder("coupon-" + run)).hasValue(part);

        // The part was merged into another member since: a moved event arriving now is that survivor's.
        produce(merged(part, survivor, Instant.now()));
        await().atMost(WAIT).untilAsserted(() -> assertThat(purchasesOf(survivor)).hasSize(3));
        MemberEvents.publish(kafka, List.of(order(original, "-4", store)));
        await().atMost(WAIT).untilAsserted(() -> assertThat(purchasesOf(survivor))
                .containsExactlyInAnyOrder(original + "-2", original + "-3", original + "-c", original + "-4"));
        assertThat(purchasesOf(original)).containsExactly(original + "-1");
        assertThat(purchasesOf(part)).isEmpty();
    }

    /**
     * A false merge (a shared family phone) undone: the absorbed person's masked phone and coupons, which the merge made
     * the survivor's, go back with the events that reported them. Left with the survivor, staff of its store would call
     * the other person's phone and talk about the survivor's purchases and the other person's coupons.
     */
    @Test
    void aSplitGivesThePhoneAndCouponsOfThePartsEventsBackToThePart() {
        String store = "mk-" + run;
        String part = "p-" + run;
        String coupon = "c1-" + run;
        MemberEvent visit = order(absorbed, "-1", store);
        visit = visit.toBuilder().setEvent(visit.getEvent().toBuilder()
                .setIdentifiers(Identifiers.newBuilder().setPhone("+86 139-0000-1111").setMemberNo("no-" + run))).build();
        MemberEvents.publish(kafka, List.of(visit, MemberEvents.coupon(absorbed, absorbed + "-c", true, coupon,
                "campaign-" + run, 5, T1.plus(1, ChronoUnit.DAYS), store)));
        ChurnEvents.publish(kafka, List.of(scored(survivor, store, 0.9, 200.0, T1)));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(phoneOf(absorbed)).hasValue("139****1111");
            assertThat(couponHolder(coupon)).hasValue(absorbed);
            assertThat(callList(store)).containsExactly(survivor);
        });
        assertThat(contactOf(absorbed)).containsExactly("+86 139-0000-1111", "no-" + run);

        produce(absorbedIntoSurvivorNow());
        await().atMost(WAIT).untilAsserted(() -> assertThat(couponHolder(coupon)).hasValue(survivor));
        assertThat(phoneOf(survivor)).hasValue("139****1111");
        // The full phone and member number move with the masked phone: staff of the survivor's store dial the person.
        assertThat(contactOf(survivor)).containsExactly("+86 139-0000-1111", "no-" + run);
        assertThat(contactOf(absorbed)).containsExactly(null, null);
        // the store's cached list is dropped once the merge is applied
        await().atMost(WAIT).untilAsserted(() -> given().get("/stores/{store}/call-list", store).then().statusCode(200)
                .body("tasks[0].memberNo", equalTo("no-" + run)));

        produce(split(survivor, "shared family phone", part, "pos:" + absorbed + "-1", "SOURCE_CRM:" + absorbed + "-c"));

        await().atMost(WAIT).untilAsserted(() -> assertThat(couponHolder(coupon)).hasValue(part));
        assertThat(phoneOf(part)).hasValue("139****1111");
        assertThat(phoneOf(survivor)).isEmpty();
        assertThat(contactOf(part)).containsExactly("+86 139-0000-1111", "no-" + run);
        assertThat(contactOf(survivor)).containsExactly(null, null);
        var entry = given().get("/stores/{store}/call-list", store).then().statusCode(200).extract().jsonPath();
        assertThat(entry.getList("tasks.memberId", String.class)).containsExactly(survivor);
        assertThat(entry.getString("tasks[0].maskedPhone")).isNull();
        assertThat(entry.getString("tasks[0].memberNo")).isNull();
        assertThat(entry.getList("tasks[0].insight.openCoupons.couponId", String.class)).doesNotContain(coupon);
    }

    /** A line identity-service takes back (re-published as a duplicate order) is found by its key, not its member. */
    @Test
    void aLineTakenBackAfterAMergeIsDeletedFromTheMemberHoldingItNow() {
        String store = "mr-" + run;
        MemberEvents.publish(kafka, List.of(order(absorbed, "-1", store), order(absorbed, "-2", store)));
        await().atMost(WAIT).untilAsserted(() -> assertThat(purchasesOf(absorbed)).hasSize(2));
        produce(absorbedIntoSurvivorNow());
        await().atMost(WAIT).untilAsserted(() -> assertThat(purchasesOf(survivor)).hasSize(2));

        // Re-published under the member that holds the line now.
        MemberEvents.publish(kafka, List.of(order(absorbed, "-2", store).toBuilder().setMemberId(survivor)
                .setDuplicateOrder(true).build()));
        await().atMost(WAIT).untilAsserted(() -> assertThat(purchasesOf(survivor)).containsExactly(absorbed + "-1"));
        assertThat(purchasesOf(absorbed)).isEmpty();
    }

    /**
     * A line and its retraction recorded at the same moment by two replicas (they come on different partitions after a
     * merge re-keyed the line): here the test is the replica retracting, in a transaction held open that also holds
     * the member's contact row, which the line's batch writes after storing the line. So that batch stores the line
     * unaware of the retraction, waits, and commits after it: neither transaction saw the other's row.
     */
    @Test
    void aLineAndItsRetractionRecordedAtOnceByTwoReplicasEndUncounted() {
        String member = "r-" + run;
        String store = "mt-" + run;
        MemberEvent line = order(member, "-1", store);
        line = line.toBuilder().setEvent(line.getEvent().toBuilder()
                .setIdentifiers(Identifiers.newBuilder().setPhone("+8613800138000"))).build();
        SqlConnection otherReplica = database.getConnection().await().indefinitely();
        try {
            Transaction retracting = otherReplica.begin().await().indefinitely();
            purchases.retract(otherReplica, List.of(new PurchaseRepository.LineKey("pos", member + "-1")))
                    .await().indefinitely();
            contacts.upsert(otherReplica, List.of(new ContactRepository.Contact(member, "138****8000", null, T1, "pos", member + "-0")))
                    .await().indefinitely();
            MemberEvents.publish(kafka, List.of(line));
            await().atMost(WAIT).until(() -> recordingsWaitingForARow() > 0);
            retracting.commit().await().indefinitely();
        } finally {
            otherReplica.close().await().indefinitely();
        }

        // A later line of the member's (same partition, so recorded after the raced batch) shows when it is done.
        MemberEvents.publish(kafka, List.of(order(member, "-2", store)));
        await().atMost(WAIT).untilAsserted(() -> assertThat(purchasesOf(member)).contains(member + "-2"));
        assertThat(purchasesOf(member)).as("the retracted line is not counted").containsExactly(member + "-2");
    }

    /**
     * Another replica applies an identity change while a batch of member.events is recorded: the batch looked up
     * where its events belong before the change committed and inserted them after, under the original member, where
     * they stayed. Here the test is that replica: its transaction holds the identity-change lock and has given the
     * event to a part (as a split does) when the event arrives.
     */
    @Test
    void anEventArrivingWhileAnIdentityChangeIsAppliedWaitsForItAndLandsWhereTheChangePutIt() {
        String original = "o-" + run;
        String part = "p-" + run;
        String store = "mw-" + run;
        MemberEvents.publish(kafka, List.of(order(original, "-1", store)));
        await().atMost(WAIT).untilAsserted(() -> assertThat(purchasesOf(original)).hasSize(1));

        whileAnotherReplicaAppliesAChange(
                change -> update(change, "INSERT INTO split_event_owner (source, event_id, member_id) VALUES ('pos', $1, $2)",
                        original + "-2", part),
                () -> MemberEvents.publish(kafka, List.of(order(original, "-2", store))),
                () -> !purchasesOf(original).equals(List.of(original + "-1")));

        await().atMost(WAIT).untilAsserted(() -> assertThat(purchasesOf(part)).containsExactly(original + "-2"));
        assertThat(purchasesOf(original)).containsExactly(original + "-1");
    }

    /**
     * Another replica applies a merge of A into S while a churn score of A arrives: the score looked up A's survivor
     * (none yet) before the merge committed and was stored after it, under A, where it stayed with the OPEN call it
     * gave A (the person called twice once S is called, a score that never goes). Here the test is that replica: its
     * transaction holds the identity-change lock and has written A's alias when the score arrives. A score under an
     * absorbed member is skipped (churn-service scores the survivor afresh), so neither is left.
     */
    @Test
    void aScoreArrivingWhileAMergeIsAppliedWaitsForItAndIsSkipped() {
        String store = "mt-" + run;
        String next = "n-" + run;

        whileAnotherReplicaAppliesAChange(change -> alias(change, absorbed, survivor),
                () -> ChurnEvents.publish(kafka, List.of(scored(absorbed, store, 0.9, 200.0, T1))),
                () -> riskOf(absorbed).isPresent());
        // Under the same key, so consumed after the score: once it is recorded, the score was too, or skipped.
        kafka.produce(String.class, ChurnScored.class).fromRecords(
                new ProducerRecord<>(Topics.CHURN_SCORES, absorbed, scored(next, store, 0.95, 250.0, T1)))
                .awaitCompletion();

        await().atMost(WAIT).untilAsserted(() -> assertThat(riskOf(next)).hasValue(0.95));
        assertThat(riskOf(absorbed)).isEmpty();
        assertThat(riskOf(survivor)).isEmpty();
        assertThat(openTasks(absorbed)).isEmpty();
        await().atMost(WAIT).untilAsserted(() -> assertThat(callList(store)).containsExactly(next));
    }

    /**
     * The same for member.segments: an entry of A into churn-edge looked up whether A was absorbed before the merge
     * committed, and A kept the membership and got the segment rule's call after it. A change under an absorbed
     * member is skipped (rfm-service publishes the survivor's own), so neither is left.
     */
    @Test
    void aSegmentEntryArrivingWhileAMergeIsAppliedWaitsForItAndIsSkipped() {
        String store = "mu-" + run;
        String next = "n-" + run;

        whileAnotherReplicaAppliesAChange(change -> alias(change, absorbed, survivor),
                () -> publishSegmentChange(absorbed, SegmentEvents.change(absorbed, "churn-edge", true, T1, store)),
                () -> !segmentsOf(absorbed).isEmpty());
        // Under the same key, so consumed after the entry: once it is recorded, so is the entry, or skipped.
        publishSegmentChange(absorbed, SegmentEvents.change(next, "churn-edge", true, T1, store));

        await().atMost(WAIT).untilAsserted(() -> assertThat(segmentsOf(next)).containsExactly("churn-edge"));
        assertThat(segmentsOf(absorbed)).isEmpty();
        assertThat(openTasks(absorbed)).isEmpty();
        // Awaited: the rule's call opens in a transaction after the membership's, and the cached list clears after it.
        await().atMost(WAIT).untilAsserted(() -> assertThat(callList(store)).containsExactly(next));
    }

    /**
     * Plays another replica applying an identity change: in a transaction of its own it takes the identity-change
     * lock exclusively (as IdentityChangeRepository.apply does) and makes the change's writes, then lets a record
     * arrive, and commits once the record's recording waits for the lock (or, not waiting, has recorded it already).
     */
    private void whileAnotherReplicaAppliesAChange(Consumer<SqlConnection> change, Runnable arrive,
            Callable<Boolean> recordedWithoutWaiting) {
        SqlConnection connection = database.getConnection().await().indefinitely();
        try {
            Transaction transaction = connection.begin().await().indefinitely();
            connection.preparedQuery("SELECT count(*) FROM (SELECT pg_advisory_xact_lock($1)) locked")
                    .execute(Tuple.of(IdentityChangeRepository.IDENTITY_CHANGE_LOCK)).await().indefinitely();
            change.accept(connection);
            arrive.run();
            await().atMost(WAIT).until(() -> recordingsWaitingForTheIdentityChangeLock() > 0 || recordedWithoutWaiting.call());
            transaction.commit().await().indefinitely();
        } finally {
            connection.close().await().indefinitely();
        }
    }

    /** What a merge of the absorbed member into the survivor writes first: the alias. */
    private static void alias(SqlConnection connection, String absorbed, String survivor) {
        update(connection, "INSERT INTO member_alias (absorbed_member_id, surviving_member_id, merged_at) VALUES ($1, $2, now())",
                absorbed, survivor);
    }

    private static void update(SqlConnection connection, String sql, String first, String second) {
        connection.preparedQuery(sql).execute(Tuple.of(first, second)).await().indefinitely();
    }

    private void publishSegmentChange(String key, SegmentChanged change) {
        kafka.produce(String.class, SegmentChanged.class)
                .fromRecords(new ProducerRecord<>(Topics.MEMBER_SEGMENTS, key, change)).awaitCompletion();
    }

    private List<String> segmentsOf(String member) {
        List<String> segments = new ArrayList<>();
        database.preparedQuery("SELECT segment_id FROM member_segment WHERE member_id = $1 ORDER BY segment_id")
                .execute(Tuple.of(member)).await().indefinitely().forEach(row -> segments.add(row.getString(0)));
        return segments;
    }

    @Test
    void anUnreadableOrUnusableChangeIsDeadLetteredAloneAndItsNeighbourApplied() {
        String deadLetters = Topics.deadLetter(Topics.MEMBER_MERGES);
        ConsumerTask<String, byte[]> dlq = kafka.consume(String.class, byte[].class).fromTopics(deadLetters);
        byte[] garbage = {0x0A, 0x05, 'x'};
        // A merge that names no absorbed member cannot be applied.
        MemberIdentityChange empty = merged("", survivor, Instant.now());
        MemberIdentityChange good = absorbedIntoSurvivorNow();
        kafka.produce(String.class, byte[].class).fromRecords(
                new ProducerRecord<>(Topics.MEMBER_MERGES, "garbage-" + run, garbage),
                new ProducerRecord<>(Topics.MEMBER_MERGES, "empty-" + run, empty.toByteArray()),
                new ProducerRecord<>(Topics.MEMBER_MERGES, absorbed, good.toByteArray())).awaitCompletion();

        await().atMost(WAIT).untilAsserted(() -> assertThat(survivorOf(absorbed)).hasValue(survivor));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(deadLetter(dlq, "garbage-" + run)).hasValueSatisfying(record ->
                    assertThat(record.value()).isEqualTo(garbage));
            assertThat(deadLetter(dlq, "empty-" + run)).hasValueSatisfying(record ->
                    assertThat(header(record, "dead-letter-reason")).contains("absorbed_member_id"));
        });
        assertThat(deadLetter(dlq, absorbed)).isEmpty();
        dlq.stop();
    }

    /**
     * Returns once the member.merges records produced so far under this key are applied: a marker merge under the
     * same key (so on the same partition, consumed after them) has moved its absorbed member's risk.
     */
    private void awaitMergesAppliedThrough(String key) {
        String from = "marker-" + UUID.randomUUID();
        ChurnEvents.publish(kafka, List.of(scored(from, "marker-store-" + run, 0.3, 10.0, T1)));
        await().atMost(WAIT).untilAsserted(() -> assertThat(riskOf(from)).isPresent());
        kafka.produce(String.class, byte[].class).fromRecords(new ProducerRecord<>(Topics.MEMBER_MERGES, key,
                merged(from, "marker-" + UUID.randomUUID(), Instant.now()).toByteArray())).awaitCompletion();
        await().atMost(WAIT).untilAsserted(() -> assertThat(riskOf(from)).isEmpty());
    }

    private void produce(MemberIdentityChange change) {
        String key = change.hasMerged() ? change.getMerged().getAbsorbedMemberId() : change.getSplit().getOriginalMemberId();
        kafka.produce(String.class, byte[].class)
                .fromRecords(new ProducerRecord<>(Topics.MEMBER_MERGES, key, change.toByteArray())).awaitCompletion();
    }

    /** This run's merge: the absorbed member into the survivor, now. */
    private MemberIdentityChange absorbedIntoSurvivorNow() {
        return merged(absorbed, survivor, Instant.now());
    }

    private static MemberIdentityChange merged(String absorbed, String survivor, Instant at) {
        return MemberIdentityChange.newBuilder().setMerged(MemberMerged.newBuilder().setAbsorbedMemberId(absorbed)
                .setSurvivingMemberId(survivor).setRule("phone").setScore(1.0).setMergedAt(timestamp(at))).build();
    }

    /** A split of the original member now, giving one part the events of these {@code source:event_id} keys. */
    private static MemberIdentityChange split(String original, String reason, String part, String... eventKeys) {
        return MemberIdentityChange.newBuilder().setSplit(MemberSplit.newBuilder().setOriginalMemberId(original)
                .setReason(reason).setSplitAt(timestamp(Instant.now()))
                .addParts(SplitPart.newBuilder().setMemberId(part).addAllEventKeys(List.of(eventKeys)))).build();
    }

    /** A POS order line of the member, event id and order id the member's id and the suffix. */
    private static MemberEvent order(String member, String suffix, String store) {
        return MemberEvents.orderLine(member, member + suffix, member + suffix, T1.plus(1, ChronoUnit.DAYS), store, "sku",
                "dairy/milk", 1, 10);
    }

    /** The event ids of the member's purchase lines, in id order. */
    private List<String> purchasesOf(String member) {
        List<String> events = new ArrayList<>();
        database.preparedQuery("SELECT event_id FROM member_purchase WHERE member_id = $1 ORDER BY event_id")
                .execute(Tuple.of(member)).await().indefinitely().forEach(row -> events.add(row.getString(0)));
        return events;
    }

    private Optional<String> couponHolder(String coupon) {
        var rows = database.preparedQuery("SELECT member_id FROM member_coupon WHERE coupon_id = $1")
                .execute(Tuple.of(coupon)).await().indefinitely().iterator();
        return rows.hasNext() ? Optional.of(rows.next().getString(0)) : Optional.empty();
    }

    private Optional<String> phoneOf(String member) {
        var rows = database.preparedQuery("SELECT masked_phone FROM member_contact WHERE member_id = $1")
                .execute(Tuple.of(member)).await().indefinitely().iterator();
        return rows.hasNext() ? Optional.of(rows.next().getString(0)) : Optional.empty();
    }

    /** The member's full phone and member number as stored (null where none). */
    private List<String> contactOf(String member) {
        var row = database.preparedQuery("""
                SELECT (SELECT phone FROM member_contact WHERE member_id = $1),
                       (SELECT member_no FROM member_number WHERE member_id = $1)""")
                .execute(Tuple.of(member)).await().indefinitely().iterator().next();
        return java.util.Arrays.asList(row.getString(0), row.getString(1));
    }

    /** Transactions waiting for another's row (one they insert or update that the other wrote uncommitted). */
    private long recordingsWaitingForARow() {
        return database.query("SELECT count(*) FROM pg_locks WHERE locktype = 'transactionid' AND NOT granted")
                .execute().await().indefinitely().iterator().next().getLong(0);
    }

    /** Transactions of this database waiting for the identity-change lock (a bigint advisory key: objsubid 1). */
    private long recordingsWaitingForTheIdentityChangeLock() {
        return database.preparedQuery("""
                SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objsubid = 1
                  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND (classid::bigint << 32) + objid::bigint = $1""")
                .execute(Tuple.of(IdentityChangeRepository.IDENTITY_CHANGE_LOCK)).await().indefinitely()
                .iterator().next().getLong(0);
    }

    private static Timestamp timestamp(Instant at) {
        return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
    }

    private static List<String> callList(String store) {
        return given().get("/stores/{store}/call-list", store).then().statusCode(200)
                .extract().jsonPath().getList("tasks.memberId", String.class);
    }

    private List<String> openTasks(String member) {
        List<String> ids = new ArrayList<>();
        database.preparedQuery("SELECT id FROM call_task WHERE member_id = $1 AND status = 'OPEN'")
                .execute(Tuple.of(member)).await().indefinitely().forEach(row -> ids.add(row.getString(0)));
        return ids;
    }

    private Optional<Double> riskOf(String member) {
        var rows = database.preparedQuery("SELECT probability FROM member_risk WHERE member_id = $1")
                .execute(Tuple.of(member)).await().indefinitely().iterator();
        return rows.hasNext() ? Optional.of(rows.next().getDouble(0)) : Optional.empty();
    }

    /** Member id → arm of the campaign's enrolments. */
    private Map<String, String> enrolments(String campaign) {
        Map<String, String> arms = new HashMap<>();
        database.preparedQuery("SELECT member_id, arm FROM campaign_member WHERE campaign_id = $1")
                .execute(Tuple.of(campaign)).await().indefinitely().forEach(row -> arms.put(row.getString(0), row.getString(1)));
        return arms;
    }

    private Optional<String> survivorOf(String member) {
        var rows = database.preparedQuery("SELECT surviving_member_id FROM member_alias WHERE absorbed_member_id = $1")
                .execute(Tuple.of(member)).await().indefinitely().iterator();
        return rows.hasNext() ? Optional.of(rows.next().getString(0)) : Optional.empty();
    }
}
