package io.memberpulse.churn.stream.in;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.google.protobuf.Timestamp;
import io.memberpulse.churn.ScoreMembersService;
import io.memberpulse.churn.domain.features.Activity;
import io.memberpulse.churn.store.FactRepository;
import io.memberpulse.churn.store.IdentityChangeRepository;
import io.memberpulse.churn.store.ModelInputRepository;
import io.memberpulse.churn.store.ScoreRepository;
import io.memberpulse.churn.store.StreamClockRepository;
import io.memberpulse.proto.campaign.v1.InterventionOutcome;
import io.memberpulse.proto.campaign.v1.OutcomeResult;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.Identifiers;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.MemberIdentityChange;
import io.memberpulse.proto.identity.v1.MemberMerged;
import io.memberpulse.proto.identity.v1.MemberSplit;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.Source;
import io.memberpulse.proto.identity.v1.SplitPart;
import io.memberpulse.proto.kafka.Topics;
import io.memberpulse.proto.merges.IdentityChanges;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** member.merges: a merged member's history joins its survivor's, the absorbed member is no longer scored. */
@QuarkusTest
class MemberMergeTest {
    private static final Duration WAIT = Duration.ofSeconds(45);
    private static final Instant NOT_BEFORE = Instant.parse("2030-01-01T00:00:00Z");

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "memberpulse.redis.key-prefix")
    String redisPrefix;

    @Inject
    FactRepository facts;

    @Inject
    ModelInputRepository inputs;

    @Inject
    ScoreRepository storedScores;

    @Inject
    StreamClockRepository streamClock;

    @Inject
    ScoreMembersService scoring;

    @Inject
    RedisDataSource redis;

    @Inject
    IdentityChangeRepository identities;

    @Inject
    Pool pool;

    KafkaCompanion kafka;
    String run;
    String store;
    /** Later than or equal to the event clock, so this test's events never move other members' ages much. */
    Instant now;

    @BeforeEach
    void connect() {
        kafka = new KafkaCompanion(bootstrapServers);
        run = UUID.randomUUID().toString().substring(0, 8);
        store = "merge-" + run;
        Instant clock = streamClock.watermark().await().indefinitely().orElse(NOT_BEFORE);
        now = clock.isAfter(NOT_BEFORE) ? clock : NOT_BEFORE;
    }

    @AfterEach
    void close() {
        kafka.close();
    }

    @Test
    void theAbsorbedMembersHistoryMovesToTheSurvivorAndItsScoreGoes() {
        String absorbed = "a-" + run;
        String survivor = "s-" + run;
        Instant absorbedLast = now.minus(Duration.ofDays(30));
        produceOrders(absorbed, absorbedLast.minus(Duration.ofDays(30)), absorbedLast);
        produceOrders(survivor, days(-160), days(-130), days(-100));
        await().atMost(WAIT).untilAsserted(() -> given().get("/stores/" + store + "/top-risk?k=10").then()
                .statusCode(200).body("size()", equalTo(2)));

        MemberIdentityChange merge = merged(absorbed, survivor, Instant.now());
        produceChanges(merge);

        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + absorbed + "/score").then().statusCode(404));
        await().atMost(WAIT).untilAsserted(() -> {
            JsonPath score = given().get("/members/" + survivor + "/score").then().statusCode(200).extract().jsonPath();
            Instant asOf = Instant.parse(score.getString("asOf"));
            // Recency now counts from the absorbed member's later purchase.
            assertThat(score.getDouble("recencyDays")).isCloseTo(daysBetween(absorbedLast, asOf), within(0.01));
            assertThat(score.getString("homeStoreId")).isEqualTo(store);
        });
        given().get("/stores/" + store + "/top-risk?k=10").then().statusCode(200)
                .body("size()", equalTo(1)).body("[0].memberId", equalTo(survivor));
        assertThat(redis.sortedSet(String.class).zscore(redisPrefix + "top:*", absorbed)).isEmpty();
        assertThat(storedScores.scoresOf(List.of(absorbed)).await().indefinitely()).isEmpty();
        assertThat(factsOf(absorbed)).isEmpty();
        assertThat(factsOf(survivor)).hasSize(5);

        // A late event under the absorbed id, and the merge delivered again: both land on the survivor.
        produceChanges(merge);
        awaitMergesAppliedThrough(absorbed);
        produceOrders(absorbed, "late", days(-5));
        await().atMost(WAIT).untilAsserted(() -> assertThat(factsOf(survivor)).hasSize(6));
        await().atMost(WAIT).untilAsserted(() -> assertThat(given().get("/members/" + survivor + "/score").then()
                .statusCode(200).extract().jsonPath().getDouble("recencyDays")).isLessThan(6));
        assertThat(factsOf(absorbed)).isEmpty();
        given().get("/members/" + absorbed + "/score").then().statusCode(404);
    }

    @Test
    void aChainThatArrivesBackwardsEndsOnItsLastSurvivor() {
        String a = "a-" + run;
        String b = "b-" + run;
        String c = "c-" + run;
        produceOrders(a, days(-90), days(-60));
        produceOrders(b, days(-80), days(-50));
        produceOrders(c, days(-70), days(-40));
        await().atMost(WAIT).untilAsserted(() -> given().get("/stores/" + store + "/top-risk?k=10").then()
                .statusCode(200).body("size()", equalTo(3)));
        Instant firstMerge = Instant.now();

        // B→C happened after A→B, but arrives first (another partition).
        produceChanges(merged(b, c, firstMerge.plusSeconds(60)));
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + b + "/score").then().statusCode(404));
        produceChanges(merged(a, b, firstMerge));

        await().atMost(WAIT).untilAsserted(() -> assertThat(factsOf(c)).hasSize(6));
        assertThat(factsOf(a)).isEmpty();
        assertThat(factsOf(b)).isEmpty();
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + a + "/score").then().statusCode(404));
        given().get("/members/" + b + "/score").then().statusCode(404);
        given().get("/stores/" + store + "/top-risk?k=10").then().statusCode(200)
                .body("size()", equalTo(1)).body("[0].memberId", equalTo(c));

        produceOrders(a, "late", days(-3));
        produceOrders(b, "late", days(-2));
        await().atMost(WAIT).untilAsserted(() -> assertThat(factsOf(c)).hasSize(8));
        assertThat(factsOf(a)).isEmpty();
        assertThat(factsOf(b)).isEmpty();
    }

    @Test
    void aMergeDeliveredAgainAfterACrashReScoresTheLastSurvivorOfItsChain() {
        String a = "a-" + run;
        String b = "b-" + run;
        String c = "c-" + run;
        produceOrders(a, days(-90), days(-60));
        produceOrders(b, days(-80), days(-50));
        produceOrders(c, days(-70), days(-40));
        await().atMost(WAIT).untilAsserted(() -> given().get("/stores/" + store + "/top-risk?k=10").then()
                .statusCode(200).body("size()", equalTo(3)));
        Instant firstMerge = Instant.now();
        produceChanges(merged(b, c, firstMerge.plusSeconds(60)));
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + c + "/score").then().statusCode(200)
                .body("memberValue", equalTo(120.0f)));
        // The full refresh these orders' clock calls for is done: none re-scores C by chance below.
        await().pollDelay(Duration.ofSeconds(6)).atMost(WAIT).until(() -> true);
        scoring.refreshAll();

        // A→B is applied (A's orders go on to C), and the replica dies before re-scoring; A→B is delivered again.
        MemberIdentityChange aIntoB = merged(a, b, firstMerge);
        assertThat(identities.apply(IdentityChanges.toDomain(aIntoB)).await().indefinitely().applied()).isTrue();
        assertThat(factsOf(c)).hasSize(6);
        produceChanges(aIntoB);

        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + c + "/score").then().statusCode(200)
                .body("memberValue", equalTo(180.0f)));
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + a + "/score").then().statusCode(404));
    }

    @Test
    void aSplitTakesItsEventsBackAndThePartKeepsItsNewEvents() {
        String absorbed = "a-" + run;
        String survivor = "s-" + run;
        produceOrders(absorbed, days(-40), days(-20));
        produceOrders(survivor, days(-120), days(-100));
        await().atMost(WAIT).untilAsserted(() -> given().get("/stores/" + store + "/top-risk?k=10").then()
                .statusCode(200).body("size()", equalTo(2)));
        produceChanges(merged(absorbed, survivor, Instant.now()));
        await().atMost(WAIT).untilAsserted(() -> assertThat(factsOf(survivor)).hasSize(4));

        // The merge undone: the absorbed member's two orders go back to it (event keys as identity-service writes them).
        produceChanges(MemberIdentityChange.newBuilder().setSplit(MemberSplit.newBuilder().setOriginalMemberId(survivor)
                .setReason("two people").setSplitAt(timestamp(Instant.now()))
                .addParts(SplitPart.newBuilder().setMemberId(absorbed)
                        .addEventKeys("pos:" + absorbed + "-0").addEventKeys("pos:" + absorbed + "-1"))).build());

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(factsOf(absorbed)).hasSize(2);
            assertThat(factsOf(survivor)).hasSize(2);
            given().get("/members/" + absorbed + "/score").then().statusCode(200).body("homeStoreId", equalTo(store));
        });
        await().atMost(WAIT).untilAsserted(() -> {
            JsonPath score = given().get("/members/" + survivor + "/score").then().statusCode(200).extract().jsonPath();
            assertThat(score.getDouble("recencyDays"))
                    .isCloseTo(daysBetween(days(-100), Instant.parse(score.getString("asOf"))), within(0.01));
        });
        // No alias any more: the part's new events stay with it.
        produceOrders(absorbed, "after-split", days(-1));
        await().atMost(WAIT).untilAsserted(() -> assertThat(factsOf(absorbed)).hasSize(3));
        assertThat(factsOf(survivor)).hasSize(2);
    }

    @Test
    void eventsASplitMovesThatArriveOnlyAfterItLandOnThePartOrWhereThePartWasMergedSince() {
        // member.events and member.merges are separate topics: a split may be applied before some of the events
        // it moves are consumed, and those still carry the original member.
        String original = "o-" + run;
        String part = "p-" + run;
        produceOrders(original, days(-120), days(-100));
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + original + "/score").then().statusCode(200));
        produceChanges(MemberIdentityChange.newBuilder().setSplit(MemberSplit.newBuilder().setOriginalMemberId(original)
                .setReason("two people").setSplitAt(timestamp(Instant.now()))
                .addParts(SplitPart.newBuilder().setMemberId(part).addEventKeys("pos:" + original + "-1")
                        .addEventKeys("pos:" + original + "-late-0").addEventKeys("pos:" + original + "-late-1")
                        .addEventKeys("SOURCE_POS:" + original + "-later-0"))).build());
        await().atMost(WAIT).untilAsserted(() -> assertThat(factsOf(part)).hasSize(1)); // the split is applied

        produceOrders(original, "late", days(-20), days(-10));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(factsOf(part)).hasSize(3);
            JsonPath score = given().get("/members/" + part + "/score").then().statusCode(200).extract().jsonPath();
            assertThat(score.getDouble("recencyDays"))
                    .isCloseTo(daysBetween(days(-10), Instant.parse(score.getString("asOf"))), within(0.01));
        });
        assertThat(factsOf(original)).hasSize(1);
        JsonPath originalScore = given().get("/members/" + original + "/score").then().statusCode(200).extract().jsonPath();
        assertThat(originalScore.getDouble("recencyDays"))
                .isCloseTo(daysBetween(days(-120), Instant.parse(originalScore.getString("asOf"))), within(0.01));

        // The part was merged into another member since: a moved event arriving now counts for that survivor.
        String survivor = "s-" + run;
        produceOrders(survivor, days(-200));
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + survivor + "/score").then().statusCode(200));
        produceChanges(merged(part, survivor, Instant.now()));
        await().atMost(WAIT).untilAsserted(() -> assertThat(factsOf(survivor)).hasSize(4));
        produceOrders(original, "later", days(-5));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(factsOf(survivor)).hasSize(5);
            assertThat(given().get("/members/" + survivor + "/score").then().statusCode(200).extract().jsonPath()
                    .getDouble("recencyDays")).isLessThan(6);
        });
        assertThat(factsOf(original)).hasSize(1);
        assertThat(factsOf(part)).isEmpty();
    }

    @Test
    void aBatchConsumedWhileAnotherReplicaAppliesAMergeWaitsForItAndLandsOnTheSurvivor() {
        // Another replica (here this test) applies a merge in a transaction held open while events of the absorbed
        // member are consumed: their look-up must not read the state from before the merge and insert them after it.
        String absorbed = "a-" + run;
        String survivor = "s-" + run;
        produceOrders(absorbed, days(-60));
        produceOrders(survivor, days(-90));
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + absorbed + "/score").then().statusCode(200));
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + survivor + "/score").then().statusCode(200));
        MemberIdentityChange merge = merged(absorbed, survivor, Instant.now());
        List<String> late = List.of(absorbed + "-late-0", absorbed + "-late-1");

        whileAnotherReplicaApplies(merge, () -> {
            produceOrders(absorbed, "late", days(-20), days(-10));
            // The batch is consumed: it waits for the merge to commit, or (without the lock) is recorded at once.
            await().atMost(WAIT).until(() -> aRecordingWaitsForTheIdentityLock() || !holdersOf("pos", late).isEmpty());
            assertThat(holdersOf("pos", late)).as("nothing recorded while a merge is being applied").isEmpty();
        });

        await().atMost(WAIT).untilAsserted(() -> assertThat(holdersOf("pos", late)).containsExactly(survivor));
        produceChanges(merge); // as this replica's consumer gets it: applied already, the survivor re-scored
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(factsOf(survivor)).hasSize(4);
            assertThat(given().get("/members/" + survivor + "/score").then().statusCode(200).extract().jsonPath()
                    .getDouble("recencyDays")).isLessThan(11);
        });
        assertThat(factsOf(absorbed)).isEmpty();
        // The absorbed member's served score goes when this replica consumes the change: the late orders may have
        // re-scored the survivor (above) before it did, so this is awaited too.
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + absorbed + "/score").then().statusCode(404));
    }

    @Test
    void anOutcomeConsumedWhileAnotherReplicaAppliesAMergeWaitsForItAndLandsOnTheSurvivor() {
        String absorbed = "a-" + run;
        String survivor = "s-" + run;
        produceOrders(absorbed, days(-60));
        produceOrders(survivor, days(-90));
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + absorbed + "/score").then().statusCode(200));
        String task = "t-" + run;

        whileAnotherReplicaApplies(merged(absorbed, survivor, Instant.now()), () -> {
            InterventionOutcome outcome = InterventionOutcome.newBuilder().setTaskId(task).setMemberId(absorbed)
                    .setStoreId(store).setReached(true).setResult(OutcomeResult.OUTCOME_RESULT_WILL_RETURN)
                    .setRecordedAt(timestamp(now)).build();
            kafka.produce(String.class, byte[].class).fromRecords(new ProducerRecord<>(Topics.INTERVENTION_OUTCOMES,
                    absorbed, outcome.toByteArray())).awaitCompletion(WAIT);
            await().atMost(WAIT).until(() -> aRecordingWaitsForTheIdentityLock() || !holdersOf("campaign", List.of(task)).isEmpty());
            assertThat(holdersOf("campaign", List.of(task))).as("nothing recorded while a merge is being applied").isEmpty();
        });

        await().atMost(WAIT).untilAsserted(() -> assertThat(holdersOf("campaign", List.of(task))).containsExactly(survivor));
        produceChanges(merged(absorbed, survivor, Instant.now())); // this replica's consumer: the absorbed member's score goes
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + absorbed + "/score").then().statusCode(404));
    }

    @Test
    void aLineTakenBackAfterAMergeIsUncountedForTheMemberHoldingItNow() {
        String absorbed = "a-" + run;
        String survivor = "s-" + run;
        produceOrders(absorbed, days(-60), days(-10));
        produceOrders(survivor, days(-80));
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + absorbed + "/score").then().statusCode(200));
        produceChanges(merged(absorbed, survivor, Instant.now()));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(factsOf(survivor)).hasSize(3);
            JsonPath score = given().get("/members/" + survivor + "/score").then().statusCode(200).extract().jsonPath();
            assertThat(score.getDouble("memberValue")).isEqualTo(90);
        });

        // identity-service re-publishes the absorbed member's later line as a duplicate order, under the member that
        // holds it now: it is found by its key and the survivor is re-scored without it.
        MemberEvent retraction = order(survivor, absorbed + "-1", days(-10)).toBuilder().setDuplicateOrder(true).build();
        kafka.produce(String.class, byte[].class).fromRecords(
                new ProducerRecord<>(Topics.MEMBER_EVENTS, survivor, retraction.toByteArray())).awaitCompletion(WAIT);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(holdersOf("pos", List.of(absorbed + "-1"))).isEmpty();
            JsonPath score = given().get("/members/" + survivor + "/score").then().statusCode(200).extract().jsonPath();
            assertThat(score.getDouble("memberValue")).isEqualTo(60);
            assertThat(score.getDouble("recencyDays"))
                    .isCloseTo(daysBetween(days(-60), Instant.parse(score.getString("asOf"))), within(0.01));
        });
        assertThat(factsOf(survivor)).hasSize(2);
        assertThat(factsOf(absorbed)).isEmpty();
    }

    @Test
    void aLineAndItsRetractionRecordedAtOnceByTwoReplicasEndUncounted() {
        String member = "m-" + run;
        produceOrders(member, days(-60));
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + member + "/score").then().statusCode(200));
        String raced = member + "-raced";
        MemberEvent line = order(member, raced, days(-10)).toBuilder().setEvent(order(member, raced, days(-10))
                .getEvent().toBuilder().setIdentifiers(Identifiers.newBuilder().setMemberNo("no-" + run))).build();

        // Another replica (here this test) records the line's retraction in a transaction held open; it also holds the
        // member's number row, which the line's batch writes after storing the line. So that batch stores the line
        // unaware of the retraction, waits, and commits after it: neither transaction saw the other's row.
        SqlConnection otherReplica = pool.getConnection().await().indefinitely();
        try {
            Transaction retracting = otherReplica.begin().await().indefinitely();
            assertThat(facts.retractPurchases(otherReplica, List.of(new FactRepository.LineKey("pos", raced)))
                    .await().indefinitely()).isEmpty();
            facts.upsertMemberNumbers(otherReplica, Map.of(member, "no-" + run)).await().indefinitely();
            kafka.produce(String.class, byte[].class).fromRecords(
                    new ProducerRecord<>(Topics.MEMBER_EVENTS, member, line.toByteArray())).awaitCompletion(WAIT);
            await().atMost(WAIT).until(this::aRecordingWaitsForARowLock);
            retracting.commit().await().indefinitely();
        } finally {
            otherReplica.close().await().indefinitely();
        }

        // A later order of the member's (same partition, so recorded after the raced batch) shows when it is done.
        produceOrders(member, "later", days(-5));
        await().atMost(WAIT).untilAsserted(() -> assertThat(holdersOf("pos", List.of(member + "-later-0"))).hasSize(1));
        assertThat(holdersOf("pos", List.of(raced))).as("the retracted line is not counted").isEmpty();
        await().atMost(WAIT).untilAsserted(() -> {
            JsonPath score = given().get("/members/" + member + "/score").then().statusCode(200).extract().jsonPath();
            assertThat(score.getDouble("memberValue")).isEqualTo(60);
        });
    }

    @Test
    void aMergeOnAnotherReplicaWaitsForAScoreBeingMadeFromTheAbsorbedMembersFacts() {
        String absorbed = "a-" + run;
        String survivor = "s-" + run;
        produceOrders(absorbed, days(-60));
        produceOrders(survivor, days(-90));
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + absorbed + "/score").then().statusCode(200));
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + survivor + "/score").then().statusCode(200));

        // This test holds the absorbed member's score row, so a scoring of that member reads its facts and then waits
        // to write. Another replica (also this test) applies a merge meanwhile: it must wait for that score to be
        // written, or the score, made from facts the merge moved, lands after the merge took the member's score away
        // and nothing takes it away again.
        SqlConnection scoreRowHolder = pool.getConnection().await().indefinitely();
        SqlConnection otherReplica = pool.getConnection().await().indefinitely();
        try {
            Transaction holding = scoreRowHolder.begin().await().indefinitely();
            scoreRowHolder.preparedQuery("SELECT 1 FROM churn_score WHERE member_id = $1 FOR UPDATE")
                    .execute(Tuple.of(absorbed)).await().indefinitely();
            produceOrders(absorbed, "again", days(-5));
            await().atMost(WAIT).until(this::aRecordingWaitsForARowLock);

            Transaction applying = otherReplica.begin().await().indefinitely();
            var applied = identities.apply(otherReplica, IdentityChanges.toDomain(merged(absorbed, survivor, Instant.now())))
                    .subscribeAsCompletionStage();
            await().atMost(WAIT).until(() -> aChangeWaitsForTheIdentityLock() || applied.isDone());
            assertThat(applied).as("a merge applied while a score of its absorbed member was being made").isNotDone();

            holding.rollback().await().indefinitely();
            assertThat(applied.toCompletableFuture().get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)
                    .applied()).isTrue();
            applying.commit().await().indefinitely();
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            scoreRowHolder.close().await().indefinitely();
            otherReplica.close().await().indefinitely();
        }
        produceChanges(merged(absorbed, survivor, Instant.now())); // this replica's consumer: the absorbed score goes
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + absorbed + "/score").then().statusCode(404));
        given().get("/stores/" + store + "/top-risk?k=10").then().statusCode(200)
                .body("size()", equalTo(1)).body("[0].memberId", equalTo(survivor));
    }

    /** Whether a transaction waits for another's row (a row it inserts or updates that the other wrote uncommitted). */
    private boolean aRecordingWaitsForARowLock() {
        return pool.query("""
                SELECT count(*) FROM pg_locks WHERE locktype = 'transactionid' AND NOT granted""")
                .execute().await().indefinitely().iterator().next().getLong(0) > 0;
    }

    /** Applies the change in a transaction of this test's own, as another replica would, and commits after the work. */
    private void whileAnotherReplicaApplies(MemberIdentityChange change, Runnable work) {
        SqlConnection otherReplica = pool.getConnection().await().indefinitely();
        try {
            Transaction applying = otherReplica.begin().await().indefinitely();
            assertThat(identities.apply(otherReplica, IdentityChanges.toDomain(change)).await().indefinitely().applied()).isTrue();
            work.run();
            applying.commit().await().indefinitely();
        } finally {
            otherReplica.close().await().indefinitely();
        }
    }

    /** Whether a transaction recording facts waits for the identity lock (held shared by recordings). */
    private boolean aRecordingWaitsForTheIdentityLock() {
        return waitsForTheIdentityLock("ShareLock");
    }

    /** Whether an identity change waits for the identity lock (held shared while facts are recorded or scored). */
    private boolean aChangeWaitsForTheIdentityLock() {
        return waitsForTheIdentityLock("ExclusiveLock");
    }

    private boolean waitsForTheIdentityLock(String mode) {
        return pool.preparedQuery("""
                SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND mode = $2 AND NOT granted
                AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                AND classid = ($1::bigint >> 32)::oid AND objid = ($1::bigint & 4294967295)::oid AND objsubid = 1""")
                .execute(Tuple.of(IdentityChangeRepository.IDENTITY_LOCK, mode)).await().indefinitely()
                .iterator().next().getLong(0) > 0;
    }

    /** The members holding the given events (orders, or outcomes by task) in PostgreSQL. */
    private List<String> holdersOf(String source, List<String> eventIds) {
        return pool.preparedQuery("""
                SELECT member_id FROM purchase_line WHERE source = $1 AND event_id = ANY($2)
                UNION SELECT member_id FROM member_activity WHERE source = $1 AND event_id = ANY($2)""")
                .execute(Tuple.of(source, eventIds.toArray(String[]::new))).await().indefinitely()
                .stream().map(row -> row.getString(0)).toList();
    }

    @Test
    void anUnreadableOrUnusableChangeIsDeadLetteredAlone() {
        String absorbed = "a-" + run;
        String survivor = "s-" + run;
        produceOrders(absorbed, days(-30));
        produceOrders(survivor, days(-60));
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + absorbed + "/score").then().statusCode(200));
        byte[] garbage = {0x0A, 0x05, 'x'}; // field 1 announces 5 bytes and brings 1: not protobuf
        MemberIdentityChange neither = MemberIdentityChange.getDefaultInstance();
        MemberIdentityChange memberless = MemberIdentityChange.newBuilder().setMerged(MemberMerged.newBuilder()
                .setSurvivingMemberId(survivor).setMergedAt(timestamp(Instant.now()))).build();
        // valid protobuf whose time no Instant holds: before, its check threw and failed the channel on every redelivery
        MemberIdentityChange beyondTime = MemberIdentityChange.newBuilder().setMerged(MemberMerged.newBuilder()
                .setSurvivingMemberId(survivor).setAbsorbedMemberId("x-" + run)
                .setMergedAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(31_556_889_864_403_200L))).build();
        ConsumerTask<String, byte[]> deadLetters = kafka.consume(String.class, byte[].class)
                .fromTopics(Topics.deadLetter(Topics.MEMBER_MERGES));
        kafka.produce(String.class, byte[].class).fromRecords(
                new ProducerRecord<>(Topics.MEMBER_MERGES, "garbage-" + run, garbage),
                new ProducerRecord<>(Topics.MEMBER_MERGES, "neither-" + run, neither.toByteArray()),
                new ProducerRecord<>(Topics.MEMBER_MERGES, "memberless-" + run, memberless.toByteArray()),
                new ProducerRecord<>(Topics.MEMBER_MERGES, "beyond-" + run, beyondTime.toByteArray()),
                new ProducerRecord<>(Topics.MEMBER_MERGES, absorbed, merged(absorbed, survivor, Instant.now()).toByteArray()))
                .awaitCompletion(WAIT);

        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + absorbed + "/score").then().statusCode(404));
        assertThat(factsOf(survivor)).hasSize(2);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(deadLetter(deadLetters, "garbage-" + run).value()).isEqualTo(garbage);
            assertThat(header(deadLetter(deadLetters, "neither-" + run), "dead-letter-reason"))
                    .contains("neither merged, split nor erased");
            assertThat(header(deadLetter(deadLetters, "memberless-" + run), "dead-letter-reason"))
                    .contains("merged.absorbed_member_id");
            assertThat(header(deadLetter(deadLetters, "beyond-" + run), "dead-letter-reason"))
                    .contains("merged.merged_at");
        });
        assertThat(deadLetters.getRecords()).noneMatch(r -> absorbed.equals(r.key()));
        deadLetters.stop();
    }

    private Instant days(int offset) {
        return now.plus(Duration.ofDays(offset));
    }

    private static double daysBetween(Instant from, Instant to) {
        return Duration.between(from, to).getSeconds() / 86_400.0;
    }

    private List<Activity> factsOf(String member) {
        return inputs.activitiesOf(List.of(member)).await().indefinitely().getOrDefault(member, List.of());
    }

    private void produceOrders(String member, Instant... at) {
        produceOrders(member, "", at);
    }

    /** One order per instant, event ids member-0, member-1, ... (with the tag: member-tag-0, ...). */
    private void produceOrders(String member, String tag, Instant... at) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (int i = 0; i < at.length; i++) {
            MemberEvent event = order(member, member + (tag.isEmpty() ? "" : "-" + tag) + "-" + i, at[i]);
            records.add(new ProducerRecord<>(Topics.MEMBER_EVENTS, member, event.toByteArray()));
        }
        kafka.produce(String.class, byte[].class).fromRecords(records).awaitCompletion(WAIT);
    }

    private MemberEvent order(String member, String eventId, Instant at) {
        return MemberEvent.newBuilder().setMemberId(member).setEvent(ChannelEvent.newBuilder()
                .setEventId(eventId).setSource(Source.SOURCE_POS).setType(EventType.EVENT_TYPE_ORDER)
                .setOccurredAt(timestamp(at)).setStoreId(store)
                .setLine(OrderLine.newBuilder().setOrderId(eventId + "-o").setQuantity(1).setPaidAmount(30))).build();
    }

    /**
     * Returns once the member.merges records produced so far under this key are applied: a marker merge under the
     * same key (so on the same partition, consumed after them) has moved its absorbed member's facts.
     */
    private void awaitMergesAppliedThrough(String key) {
        String from = "marker-" + UUID.randomUUID();
        produceOrders(from, days(-10));
        await().atMost(WAIT).untilAsserted(() -> assertThat(factsOf(from)).hasSize(1));
        kafka.produce(String.class, byte[].class).fromRecords(new ProducerRecord<>(Topics.MEMBER_MERGES, key,
                merged(from, "marker-" + UUID.randomUUID(), Instant.now()).toByteArray())).awaitCompletion(WAIT);
        await().atMost(WAIT).untilAsserted(() -> assertThat(factsOf(from)).isEmpty());
    }

    private void produceChanges(MemberIdentityChange... changes) {
        kafka.produce(String.class, byte[].class).fromRecords(Arrays.stream(changes)
                .map(change -> new ProducerRecord<>(Topics.MEMBER_MERGES, change.hasMerged()
                        ? change.getMerged().getAbsorbedMemberId() : change.getSplit().getOriginalMemberId(),
                        change.toByteArray())).toList()).awaitCompletion(WAIT);
    }

    private static MemberIdentityChange merged(String absorbed, String survivor, Instant at) {
        return MemberIdentityChange.newBuilder().setMerged(MemberMerged.newBuilder().setAbsorbedMemberId(absorbed)
                .setSurvivingMemberId(survivor).setRule("phone").setScore(1).setMergedAt(timestamp(at))).build();
    }

    private static Timestamp timestamp(Instant at) {
        return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
    }

    /** The dead letter keyed so; an AssertionError until it came, so that awaiting it retries. */
    private static ConsumerRecord<String, byte[]> deadLetter(ConsumerTask<String, byte[]> task, String key) {
        return task.getRecords().stream().filter(record -> key.equals(record.key())).findFirst()
                .orElseThrow(() -> new AssertionError("no dead letter keyed " + key + " yet"));
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }
}
