package io.memberpulse.churn.api.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.anyOf;

import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.proto.auth.Roles;
import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.memberpulse.proto.churn.v1.ChurnScored;
import io.memberpulse.proto.churn.v1.ChurnServiceGrpc;
import io.memberpulse.proto.churn.v1.GetModelReportRequest;
import io.memberpulse.proto.churn.v1.GetScoreRequest;
import io.memberpulse.proto.churn.v1.RoiRequest;
import io.memberpulse.proto.churn.v1.TopRiskRequest;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.Source;
import io.memberpulse.proto.kafka.ChurnScoredDeserializer;
import io.memberpulse.proto.kafka.MemberEventDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.proto.kafka.Topics;
import io.memberpulse.churn.ScoreMembersService;
import io.memberpulse.churn.domain.ChurnScore;
import io.memberpulse.churn.store.ScoreCache;
import io.memberpulse.churn.store.ScoreRepository;
import io.quarkus.test.junit.QuarkusMock;
import io.smallrye.mutiny.Uni;
import java.util.concurrent.atomic.AtomicBoolean;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.sortedset.ZRangeArgs;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ScoreResourceTest {
    static final Instant CLOCK = Instant.parse("2030-01-01T00:00:00Z"); // later than any other test's events

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    KafkaCompanion kafka;

    @Inject
    RedisDataSource redis;

    @Inject
    Pool pool;

    @Inject
    ScoreCache cache;

    @Inject
    ScoreMembersService scoring;

    @ConfigProperty(name = "memberpulse.redis.key-prefix")
    String redisPrefix;

    @BeforeEach
    void connect() {
        kafka = new KafkaCompanion(bootstrapServers);
        kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
        kafka.registerSerde(ChurnScored.class, ProtobufSerdes.of(new ChurnScoredDeserializer()));
    }

    @AfterEach
    void close() {
        kafka.close();
    }

    static List<ProducerRecord<String, MemberEvent>> weeklyOrders(String member, String store, int count, Instant last) {
        List<ProducerRecord<String, MemberEvent>> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Instant at = last.minus(Duration.ofDays(7L * (count - 1 - i)));
            MemberEvent event = MemberEvent.newBuilder().setMemberId(member).setEvent(ChannelEvent.newBuilder()
                    .setEventId(member + "-" + i).setSource(Source.SOURCE_POS).setType(EventType.EVENT_TYPE_ORDER)
                    .setOccurredAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond())).setStoreId(store)
                    .setLine(OrderLine.newBuilder().setOrderId(member + "-o" + i).setQuantity(1).setPaidAmount(25))).build();
            records.add(new ProducerRecord<>(Topics.MEMBER_EVENTS, member, event));
        }
        return records;
    }

    @Test
    void topRiskAfterRedisLostItsDataIsWholeAndRedisIsRefilled() {
        String store = "s-" + UUID.randomUUID().toString().substring(0, 8);
        String lapsed = "lapsed-" + UUID.randomUUID();
        String loyal = "loyal-" + UUID.randomUUID();
        List<ProducerRecord<String, MemberEvent>> records = new ArrayList<>();
        records.addAll(weeklyOrders(lapsed, store, 4, CLOCK.minus(Duration.ofDays(60))));
        records.addAll(weeklyOrders(loyal, store, 4, CLOCK.minus(Duration.ofDays(3))));
        kafka.produce(String.class, MemberEvent.class).fromRecords(records).awaitCompletion(Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/stores/" + store + "/top-risk?k=5")
                .then().statusCode(200).body("size()", equalTo(2)));

        // Redis loses everything (a restart without persistence); then one more member of the store is scored.
        var keys = redis.key(String.class);
        keys.keys(redisPrefix + "*").forEach(keys::del);
        String newcomer = "newcomer-" + UUID.randomUUID();
        kafka.produce(String.class, MemberEvent.class).fromRecords(weeklyOrders(newcomer, store, 2, CLOCK.minus(Duration.ofDays(1))))
                .awaitCompletion();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/members/" + newcomer + "/score")
                .then().statusCode(200));
        // The store's ranking in Redis may hold the newcomer alone by now: the answer is still the whole store, riskiest first.
        given().get("/stores/" + store + "/top-risk?k=5").then().statusCode(200).body("size()", equalTo(3))
                .body("[0].memberId", equalTo(lapsed));
        // The next tick puts the lost scores back, and marks the rankings whole again.
        await().atMost(Duration.ofSeconds(30)).until(() -> keys.exists(redisPrefix + "score:" + lapsed)
                && keys.exists(redisPrefix + "rankings-complete"));
        assertThat(redis.sortedSet(String.class).zscore(redisPrefix + "top:" + store, lapsed)).isPresent();
        given().get("/stores/" + store + "/top-risk?k=5").then().statusCode(200).body("size()", equalTo(3))
                .body("[0].memberId", equalTo(lapsed));
    }

    /**
     * Redis evicting a score key under memory pressure (any maxmemory-policy but noeviction) leaves the member in the
     * rankings and the rankings marked complete: TopRisk must not answer without them. It answers from PostgreSQL, and
     * the next tick puts the score back.
     */
    @Test
    void aRankedMembersEvictedScoreLeavesTopRiskWholeAndIsRefilled() {
        String store = "s-" + UUID.randomUUID().toString().substring(0, 8);
        String lapsed = "lapsed-" + UUID.randomUUID();
        String loyal = "loyal-" + UUID.randomUUID();
        List<ProducerRecord<String, MemberEvent>> records = new ArrayList<>();
        records.addAll(weeklyOrders(lapsed, store, 4, CLOCK.minus(Duration.ofDays(60))));
        records.addAll(weeklyOrders(loyal, store, 4, CLOCK.minus(Duration.ofDays(3))));
        kafka.produce(String.class, MemberEvent.class).fromRecords(records).awaitCompletion(Duration.ofSeconds(60));
        var keys = redis.key(String.class);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/stores/" + store + "/top-risk?k=5")
                .then().statusCode(200).body("size()", equalTo(2)));
        await().atMost(Duration.ofSeconds(30)).until(() -> keys.exists(redisPrefix + "rankings-complete"));
        List<String> stored = new ScoreRepository(pool).top(store, 5).await().atMost(Duration.ofSeconds(10)).stream()
                .map(ChurnScore::memberId).toList();
        assertThat(stored).containsExactly(lapsed, loyal);

        keys.del(redisPrefix + "score:" + lapsed);

        given().get("/stores/" + store + "/top-risk?k=5").then().statusCode(200).body("memberId", equalTo(stored));
        await().atMost(Duration.ofSeconds(30)).until(() -> keys.exists(redisPrefix + "score:" + lapsed)
                && keys.exists(redisPrefix + "rankings-complete"));
        given().get("/stores/" + store + "/top-risk?k=5").then().statusCode(200).body("memberId", equalTo(stored));
    }

    /**
     * A refill during which Redis loses its data again must not call the rankings complete: the scores it cached before
     * the loss are gone with its token (seen under load: the rankings were marked whole holding one member of three).
     * Nor one whose token a repair took (ScoreCacheWrites.repairMissed). A refill holds the turn: no other begins
     * meanwhile. Only the refill key is taken here until the last step, so the rankings stay marked and the service's
     * own tick starts no refill.
     */
    @Test
    void aRefillWhoseTokenRedisLostOrARepairTookDoesNotMarkTheRankingsCompleteAndARefillHoldsTheTurn() {
        var keys = redis.key(String.class);
        await().atMost(Duration.ofSeconds(30)).until(() -> keys.exists(redisPrefix + "rankings-complete"));
        String flushed = cache.beginRefill().await().indefinitely().orElseThrow();
        keys.del(redisPrefix + "rankings-refill");
        assertThat(cache.markComplete(flushed).await().indefinitely()).as("Redis lost the token").isFalse();

        String first = cache.beginRefill().await().indefinitely().orElseThrow();
        assertThat(cache.beginRefill().await().indefinitely()).as("another refill holds the turn").isEmpty();
        assertThat(cache.holdRefill(first).await().indefinitely()).isTrue();
        assertThat(cache.markComplete(first).await().indefinitely()).isTrue();
        assertThat(keys.exists(redisPrefix + "rankings-refill")).as("a finished refill leaves no token").isFalse();

        String repaired = cache.beginRefill().await().indefinitely().orElseThrow();
        cache.distrust().await().indefinitely();
        assertThat(cache.holdRefill(repaired).await().indefinitely()).as("a repair took the token").isFalse();
        assertThat(cache.markComplete(repaired).await().indefinitely()).isFalse();
    }

    /**
     * Replica B deletes a member's score (every order refunded) and takes it out of Redis just after this replica's
     * refill read the page of stored scores holding it: the refill must not put the deleted score back in Redis, where
     * GetScore and TopRisk would serve it for good.
     */
    @Test
    void aScoreDeletedWhileARefillReadItsPageIsNotCachedAgain() {
        String store = "s-" + UUID.randomUUID().toString().substring(0, 8);
        String member = "deleted-" + UUID.randomUUID();
        kafka.produce(String.class, MemberEvent.class).fromRecords(weeklyOrders(member, store, 3, CLOCK.minus(Duration.ofDays(20))))
                .awaitCompletion(Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/members/" + member + "/score")
                .then().statusCode(200));
        AtomicBoolean deleted = new AtomicBoolean();
        QuarkusMock.installMockForType(new ScoreRepository(pool) {
            @Override
            public Uni<List<ChurnScore>> scoresAfter(String after, int limit) {
                return super.scoresAfter(after, limit).call(page -> page.stream().anyMatch(s -> s.memberId().equals(member))
                        && deleted.compareAndSet(false, true) ? deletedByAnotherReplica(this, member) : Uni.createFrom().voidItem());
            }
        }, ScoreRepository.class);
        redis.key(String.class).del(redisPrefix + "rankings-complete");

        scoring.refillCacheIfLost();

        assertThat(deleted).as("the refill read the member's page").isTrue();
        assertThat(redis.key(String.class).exists(redisPrefix + "rankings-complete")).isTrue();
        given().get("/members/" + member + "/score").then().statusCode(404);
        given().get("/stores/" + store + "/top-risk?k=5").then().statusCode(200).body("size()", equalTo(0));
    }

    /** What replica B's scoreOnce does for a member left without purchases: the stored score deleted, then uncached. */
    private Uni<Void> deletedByAnotherReplica(ScoreRepository storedScores, String member) {
        return storedScores.storedScoresOf(List.of(member))
                .chain(stored -> storedScores.deleteScoresIfUnchanged(stored.versions()))
                .chain(removed -> cache.removeAll(List.of(member), removed));
    }

    @Test
    void tiedScoresComeBackInOneOrderFromRedisAndFromPostgres() {
        String store = "s-" + UUID.randomUUID().toString().substring(0, 8);
        String twin = UUID.randomUUID().toString();
        List<ProducerRecord<String, MemberEvent>> records = new ArrayList<>();
        records.addAll(weeklyOrders("tie-a-" + twin, store, 4, CLOCK.minus(Duration.ofDays(30))));
        records.addAll(weeklyOrders("tie-b-" + twin, store, 4, CLOCK.minus(Duration.ofDays(30))));
        kafka.produce(String.class, MemberEvent.class).fromRecords(records).awaitCompletion(Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/stores/" + store + "/top-risk?k=5")
                .then().statusCode(200).body("size()", equalTo(2)));
        var both = given().get("/stores/" + store + "/top-risk?k=2").then().extract().jsonPath();
        assertThat(both.getDouble("[0].probability")).as("the same history, the same score").isEqualTo(both.getDouble("[1].probability"));
        String fromRedis = both.getString("[0].memberId");
        // Without the completeness mark TopRisk reads PostgreSQL (until the next tick refills): the same member first.
        redis.key(String.class).del(redisPrefix + "rankings-complete");
        given().get("/stores/" + store + "/top-risk?k=1").then().statusCode(200).body("[0].memberId", equalTo(fromRedis));
    }

    @Test
    void aStoresTopRiskHoldsOnlyItsOwnMembersWhateverItsRankingInRedisHolds() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String storeA = "a-" + run;
        String storeB = "b-" + run;
        String atHome = "home-" + UUID.randomUUID();
        String movedAway = "moved-" + UUID.randomUUID();
        List<ProducerRecord<String, MemberEvent>> records = new ArrayList<>();
        records.addAll(weeklyOrders(atHome, storeA, 4, CLOCK.minus(Duration.ofDays(30))));
        records.addAll(weeklyOrders(movedAway, storeB, 4, CLOCK.minus(Duration.ofDays(60))));
        kafka.produce(String.class, MemberEvent.class).fromRecords(records).awaitCompletion(Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            given().get("/stores/" + storeA + "/top-risk?k=5").then().statusCode(200).body("size()", equalTo(1));
            given().get("/stores/" + storeB + "/top-risk?k=5").then().statusCode(200).body("size()", equalTo(1));
        });
        // Answered from Redis's rankings from here on.
        await().atMost(Duration.ofSeconds(30)).until(() -> redis.key(String.class).exists(redisPrefix + "rankings-complete"));

        // The member moved from A to B and the zrem that took them out of A's ranking failed: they stay there.
        redis.sortedSet(String.class).zadd(redisPrefix + "top:" + storeA, 0.999, movedAway);
        given().header("Authorization", "Bearer " + AuthTestResource.staff(storeA))
                .get("/stores/" + storeA + "/top-risk?k=5").then().statusCode(200).body("memberId", equalTo(List.of(atHome)));
        assertThat(redis.sortedSet(String.class).zscore(redisPrefix + "top:" + storeA, movedAway))
                .as("the stray is taken out of the ranking").isEmpty();

        // A store named * is no door to the whole chain's ranking: it reads no one there, and takes no one out of it.
        List<String> riskiest = redis.sortedSet(String.class).zrange(redisPrefix + "top:*", 0, 4, new ZRangeArgs().rev());
        given().get("/stores/*/top-risk?k=5").then().statusCode(200).body("size()", equalTo(0));
        assertThat(riskiest).allSatisfy(member -> assertThat(redis.sortedSet(String.class)
                .zscore(redisPrefix + "top:*", member)).isPresent());
    }

    @Test
    void aMemberWhoseEveryOrderIsRefundedLosesTheScoreTheyHad() {
        String store = "s-" + UUID.randomUUID().toString().substring(0, 8);
        String member = "refunded-" + UUID.randomUUID();
        Instant bought = CLOCK.minus(Duration.ofDays(40));
        MemberEvent order = MemberEvent.newBuilder().setMemberId(member).setEvent(ChannelEvent.newBuilder()
                .setEventId(member + "-o").setSource(Source.SOURCE_POS).setType(EventType.EVENT_TYPE_ORDER)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(bought.getEpochSecond())).setStoreId(store)
                .setLine(OrderLine.newBuilder().setOrderId(member + "-1").setQuantity(1).setPaidAmount(100))).build();
        kafka.produce(String.class, MemberEvent.class).fromRecords(new ProducerRecord<>(Topics.MEMBER_EVENTS, member, order))
                .awaitCompletion();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/members/" + member + "/score")
                .then().statusCode(200).body("memberValue", equalTo(100.0f)));
        given().get("/stores/" + store + "/top-risk?k=5").then().statusCode(200).body("memberId", equalTo(List.of(member)));

        MemberEvent refund = MemberEvent.newBuilder().setMemberId(member).setEvent(ChannelEvent.newBuilder()
                .setEventId(member + "-r").setSource(Source.SOURCE_POS).setType(EventType.EVENT_TYPE_REFUND)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(bought.plus(Duration.ofDays(2)).getEpochSecond()))
                .setStoreId(store).setLine(OrderLine.newBuilder().setOrderId(member + "-1").setRefundAmount(100))).build();
        kafka.produce(String.class, MemberEvent.class).fromRecords(new ProducerRecord<>(Topics.MEMBER_EVENTS, member, refund))
                .awaitCompletion();
        // Nothing bought, nothing to lose: no score served, and off the store's ranking.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/members/" + member + "/score")
                .then().statusCode(404));
        given().get("/stores/" + store + "/top-risk?k=5").then().statusCode(200).body("size()", equalTo(0));
    }

    @Test
    void anOrderLineRepublishedAsADuplicateOrderIsNoLongerCounted() {
        String store = "s-" + UUID.randomUUID().toString().substring(0, 8);
        String member = "retracted-" + UUID.randomUUID();
        Instant first = CLOCK.minus(Duration.ofDays(40));
        Instant last = CLOCK.minus(Duration.ofDays(10));
        MemberEvent kept = order(member, member + "-kept", first, store, 100);
        // The till's copy of a delivery order, published as counted before identity-service paired the two reports.
        MemberEvent tillCopy = order(member, member + "-till", last, store, 60);
        produce(member, kept, tillCopy);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            var score = given().get("/members/" + member + "/score").then().statusCode(200)
                    .body("memberValue", equalTo(160.0f)).extract().jsonPath();
            assertThat(score.getDouble("recencyDays")).isCloseTo(daysBefore(last, score), within(0.01));
        });

        // Taken back (delivered twice), after a duplicate_order of a line never stored: the usual case, it changes nothing.
        MemberEvent neverStored = order(member, member + "-never", CLOCK.minus(Duration.ofDays(5)), store, 500)
                .toBuilder().setDuplicateOrder(true).build();
        MemberEvent retraction = tillCopy.toBuilder().setDuplicateOrder(true).build();
        MemberEvent flaggedOnArrival = order(member, member + "-arrival", CLOCK.minus(Duration.ofDays(5)), store, 300)
                .toBuilder().setDuplicateOrder(true).setNeverCounted(true).build();
        produce(member, neverStored, retraction, retraction, flaggedOnArrival);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            var score = given().get("/members/" + member + "/score").then().statusCode(200)
                    .body("memberValue", equalTo(100.0f)).extract().jsonPath();
            assertThat(score.getDouble("recencyDays")).isCloseTo(daysBefore(first, score), within(0.01));
        });

        // The first publication consumed again (a replay): still not counted. The order after it, on the same
        // partition, shows it was consumed.
        produce(member, tillCopy, order(member, member + "-after", CLOCK.minus(Duration.ofDays(20)), store, 7));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/members/" + member + "/score")
                .then().statusCode(200).body("memberValue", equalTo(107.0f)));
        // Keys kept: those that may have been counted somewhere; not the line identity-service flagged on arrival.
        List<String> keys = new ArrayList<>();
        pool.preparedQuery("SELECT event_id FROM retracted_line WHERE event_id LIKE $1 ORDER BY event_id")
                .execute(Tuple.of(member + "-%")).await().indefinitely().forEach(row -> keys.add(row.getString(0)));
        assertThat(keys).containsExactly(member + "-never", member + "-till");
    }

    private static MemberEvent order(String member, String eventId, Instant at, String store, double paid) {
        return MemberEvent.newBuilder().setMemberId(member).setEvent(ChannelEvent.newBuilder()
                .setEventId(eventId).setSource(Source.SOURCE_POS).setType(EventType.EVENT_TYPE_ORDER)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond())).setStoreId(store)
                .setLine(OrderLine.newBuilder().setOrderId(eventId + "-o").setQuantity(1).setPaidAmount(paid))).build();
    }

    private void produce(String member, MemberEvent... events) {
        kafka.produce(String.class, MemberEvent.class).fromRecords(Arrays.stream(events)
                .map(event -> new ProducerRecord<>(Topics.MEMBER_EVENTS, member, event)).toList()).awaitCompletion();
    }

    /** Days from the instant to the score's as-of. */
    private static double daysBefore(Instant at, JsonPath score) {
        return Duration.between(at, Instant.parse(score.getString("asOf"))).getSeconds() / 86_400.0;
    }

    @Test
    void membersAreScoredFromMemberEventsRankedPerStoreAndPublished() {
        String store = "s-" + UUID.randomUUID().toString().substring(0, 8);
        String loyal = "loyal-" + UUID.randomUUID();
        String lapsed = "lapsed-" + UUID.randomUUID();
        String homeless = "homeless-" + UUID.randomUUID(); // orders naming no store: no home store
        var scores = kafka.consume(String.class, ChurnScored.class).fromTopics(Topics.CHURN_SCORES);
        List<ProducerRecord<String, MemberEvent>> records = new ArrayList<>();
        records.addAll(weeklyOrders(loyal, store, 8, CLOCK.minus(Duration.ofDays(2))));
        records.addAll(weeklyOrders(lapsed, store, 8, CLOCK.minus(Duration.ofDays(60))));
        records.addAll(weeklyOrders(homeless, "", 4, CLOCK.minus(Duration.ofDays(60))));
        kafka.produce(String.class, MemberEvent.class).fromRecords(records).awaitCompletion(Duration.ofSeconds(60));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/stores/" + store + "/top-risk?k=5")
                .then().statusCode(200)
                .body("size()", equalTo(2))
                .body("[0].memberId", equalTo(lapsed))
                .body("[1].memberId", equalTo(loyal)));
        given().get("/members/" + lapsed + "/score").then().statusCode(200)
                .body("homeStoreId", equalTo(store)).body("probability", greaterThan(0.9f));
        await().atMost(Duration.ofSeconds(20)).until(() -> scores.getRecords().stream()
                .anyMatch(r -> r.key().equals(lapsed) && r.value().getHomeStoreId().equals(store)));
        scores.stop();

        // Store staff read their home store's member as the analyst does; any other member as an unknown one.
        String analysts = given().get("/members/" + lapsed + "/score").then().statusCode(200).extract().asString();
        String ownStaff = AuthTestResource.staff(store);
        assertThat(given().header("Authorization", "Bearer " + ownStaff).get("/members/" + lapsed + "/score")
                .then().statusCode(200).extract().asString()).isEqualTo(analysts);
        answeredAsAnUnknownMember(AuthTestResource.staff("other-" + store), lapsed, "/score");
        answeredAsAnUnknownMember(AuthTestResource.withRoles(Roles.STAFF), lapsed, "/score"); // a token naming no store
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/members/" + homeless + "/score")
                .then().statusCode(200).body("homeStoreId", anyOf(nullValue(), equalTo(""))));
        answeredAsAnUnknownMember(ownStaff, homeless, "/score");
        answeredAsAnUnknownMember(ownStaff, "nobody-" + UUID.randomUUID(), "/score");
        given().header("Authorization", "").get("/members/" + lapsed + "/score").then().statusCode(401);
        given().header("Authorization", "Bearer " + AuthTestResource.withRoles(Roles.INGEST))
                .get("/members/" + lapsed + "/score").then().statusCode(403);

        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext()
                .intercept(AuthTestResource.as(AuthTestResource.analyst())).build();
        try {
            var stub = ChurnServiceGrpc.newBlockingStub(channel);
            assertThat(stub.topRisk(TopRiskRequest.newBuilder().setStoreId(store).setK(1).build()).getScores(0).getMemberId())
                    .isEqualTo(lapsed);
            assertThat(stub.getScore(GetScoreRequest.newBuilder().setMemberId(loyal).build()).getProbability())
                    .isLessThan(0.2);
            assertThatThrownBy(() -> stub.topRisk(TopRiskRequest.newBuilder().setStoreId(store).setK(0).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
            assertThatThrownBy(() -> stub.getScore(GetScoreRequest.newBuilder().setMemberId("nobody").build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));

            // GetScore: REST's rule, NOT_FOUND for any member but the staff's own store's, as for "nobody"
            String unknown = notFoundDescription(() -> stub.getScore(GetScoreRequest.newBuilder().setMemberId("nobody").build()));
            var anonymous = ChurnServiceGrpc.newBlockingStub(
                    ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext().build());
            try {
                var own = anonymous.withInterceptors(AuthTestResource.as(ownStaff));
                assertThat(own.getScore(GetScoreRequest.newBuilder().setMemberId(lapsed).build()))
                        .isEqualTo(stub.getScore(GetScoreRequest.newBuilder().setMemberId(lapsed).build()));
                var other = anonymous.withInterceptors(AuthTestResource.as(AuthTestResource.staff("other-" + store)));
                assertThat(notFoundDescription(() -> other.getScore(GetScoreRequest.newBuilder().setMemberId(lapsed).build())))
                        .isEqualTo(unknown.replace("nobody", lapsed));
                assertThat(notFoundDescription(() -> own.getScore(GetScoreRequest.newBuilder().setMemberId(homeless).build())))
                        .isEqualTo(unknown.replace("nobody", homeless));
                assertThatThrownBy(() -> anonymous.getScore(GetScoreRequest.newBuilder().setMemberId(lapsed).build()))
                        .isInstanceOfSatisfying(StatusRuntimeException.class,
                                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
            } finally {
                ((ManagedChannel) anonymous.getChannel()).shutdownNow();
            }
            var roi = stub.calculateRoi(RoiRequest.newBuilder().setMembers(100_000).setRiskShare(0.2).setTouchCost(0.25)
                    .setCouponCost(2).setWinBackUplift(0.08).setNetValuePerWonBack(60).build());
            assertThat(roi.getRoi()).isBetween(2.12, 2.14);
        } finally {
            channel.shutdownNow();
        }
    }

    /**
     * What the caller of this token is told of the member at /members/{member}{path}: a 404 whose body is, but for
     * the id, what an analyst is told of a member with no score.
     */
    static void answeredAsAnUnknownMember(String token, String member, String path) {
        String unknown = "unknown-" + UUID.randomUUID();
        var asUnknown = given().get("/members/" + unknown + path).then().statusCode(404).extract();
        var answered = given().header("Authorization", "Bearer " + token).get("/members/" + member + path)
                .then().statusCode(404).extract();
        assertThat(answered.contentType()).isEqualTo(asUnknown.contentType());
        assertThat(answered.asString()).isEqualTo(asUnknown.asString().replace(unknown, member));
        assertThat(answered.jsonPath().getString("detail")).isEqualTo("no score for member " + member);
    }

    /** The description of the NOT_FOUND the call fails with. */
    static String notFoundDescription(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
            return e.getStatus().getDescription();
        }
        throw new AssertionError("answered, where NOT_FOUND was expected");
    }

    /** A NUL reached PostgreSQL (INTERNAL); unset ROI inputs were taken as 0 and answered OK with a wrong ROI. */
    @Test
    void grpcRefusesIdsPostgresqlCannotTakeAndRoiInputsLeftUnset() {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext()
                .intercept(AuthTestResource.as(AuthTestResource.analyst())).build();
        try {
            var stub = ChurnServiceGrpc.newBlockingStub(channel);
            invalid(() -> stub.getScore(GetScoreRequest.newBuilder().setMemberId("m\u00001").build()),
                    "member_id: must not contain control characters");
            invalid(() -> stub.getScore(GetScoreRequest.newBuilder().setMemberId("m".repeat(129)).build()),
                    "member_id: is 129 characters long, at most 128 are accepted");
            invalid(() -> stub.topRisk(TopRiskRequest.newBuilder().setStoreId("s\u00001").setK(5).build()),
                    "store_id: must not contain control characters");
            // a blank store was read as unset, "every store": a typo widened the answer instead of being refused
            invalid(() -> stub.topRisk(TopRiskRequest.newBuilder().setStoreId("  ").setK(5).build()),
                    "store_id: must not be blank; leave it unset for every store");
            invalid(() -> stub.getModelReport(GetModelReportRequest.newBuilder().setVersion("v\u00001").build()),
                    "version: must not contain control characters");
            RoiRequest complete = RoiRequest.newBuilder().setMembers(100_000).setRiskShare(0.2).setTouchCost(0.25)
                    .setCouponCost(2).setWinBackUplift(0.08).setNetValuePerWonBack(60).build();
            invalid(() -> stub.calculateRoi(complete.toBuilder().clearMembers().build()), "members: is required");
            invalid(() -> stub.calculateRoi(complete.toBuilder().clearWinBackUplift().build()), "win_back_uplift: is required");
            invalid(() -> stub.calculateRoi(complete.toBuilder().clearNetValuePerWonBack().build()),
                    "net_value_per_won_back: is required");
            invalid(() -> stub.calculateRoi(complete.toBuilder().setTouchCost(1e308).setCouponCost(1e308).build()),
                    "touch_cost: must be a finite amount within 0..10000000");
            // 0 set is a value: no uplift, no gain
            assertThat(stub.calculateRoi(complete.toBuilder().setWinBackUplift(0).build()).getGain()).isZero();
        } finally {
            channel.shutdownNow();
        }
    }

    /**
     * REST's top-risk defaults k to 10; gRPC read an unset k as 0 and answered INVALID_ARGUMENT "k: must be within
     * 1..1000". Unset is 10 over gRPC too, the same members in the same order; a k set outside 1..1000 stays refused.
     */
    @Test
    void topRiskOverGrpcWithoutKAnswersTheTenRestAnswers() {
        String store = "k-" + UUID.randomUUID().toString().substring(0, 8);
        List<ProducerRecord<String, MemberEvent>> records = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            records.addAll(weeklyOrders("k" + i + "-" + UUID.randomUUID(), store, 2, CLOCK.minus(Duration.ofDays(10 + 4 * i))));
        }
        kafka.produce(String.class, MemberEvent.class).fromRecords(records).awaitCompletion(Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/stores/" + store + "/top-risk?k=20")
                .then().statusCode(200).body("size()", equalTo(12)));
        List<String> restDefault = given().get("/stores/" + store + "/top-risk").then().statusCode(200)
                .extract().jsonPath().getList("memberId", String.class);
        assertThat(restDefault).hasSize(10);

        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext()
                .intercept(AuthTestResource.as(AuthTestResource.analyst())).build();
        try {
            var stub = ChurnServiceGrpc.newBlockingStub(channel);
            assertThat(stub.topRisk(TopRiskRequest.newBuilder().setStoreId(store).build()).getScoresList())
                    .extracting(ChurnScored::getMemberId).containsExactlyElementsOf(restDefault);
            invalid(() -> stub.topRisk(TopRiskRequest.newBuilder().setStoreId(store).setK(0).build()),
                    "k: must be within 1..1000");
            invalid(() -> stub.topRisk(TopRiskRequest.newBuilder().setStoreId(store).setK(1_001).build()),
                    "k: must be within 1..1000");
        } finally {
            channel.shutdownNow();
        }
    }

    private static void invalid(Runnable call, String description) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).isEqualTo(description);
        });
    }

    @Test
    void roiOverRestAndItsBadInput() {
        given().contentType(ContentType.JSON)
                .body("{\"members\": 100000, \"riskShare\": 0.1, \"touchCost\": 6, \"winBackUplift\": 1, \"netValuePerWonBack\": 50}")
                .post("/roi").then().statusCode(200).body("targeted", equalTo(10000)).body("cost", equalTo(60000.0f));
        given().contentType(ContentType.JSON).body("{\"members\": 100, \"riskShare\": 2, \"touchCost\": 1, "
                + "\"winBackUplift\": 0.1, \"netValuePerWonBack\": 5}")
                .post("/roi").then().statusCode(400).body("errors[0].field", equalTo("riskShare")) // as the body spells it
                .body("detail", startsWith("riskShare: must be within"));
        given().contentType(ContentType.JSON).body("{\"members\": 100,")
                .post("/roi").then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("body")).body("detail", startsWith("body: malformed JSON at line 1, column"));
        given().contentType(ContentType.JSON).body("{\"members\": \"all\", \"riskShare\": 0.1}")
                .post("/roi").then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("members")).body("errors[0].reason", equalTo("must be a whole number, was \"all\""));
        // a misspelt field is named, not dropped (the coupon cost would have been taken as 0, the ROI overstated)
        given().contentType(ContentType.JSON).body("{\"members\": 100, \"riskShare\": 0.1, \"touchCost\": 1, "
                + "\"coupon_cost\": 5, \"winBackUplift\": 0.1, \"netValuePerWonBack\": 5}")
                .post("/roi").then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("coupon_cost"))
                .body("errors[0].reason", startsWith("is not a known field (known: "))
                .body("errors[0].reason", containsString("couponCost"));
        // a fraction is no count of members (2.5 was read as 2)
        given().contentType(ContentType.JSON).body("{\"members\": 2.5, \"riskShare\": 0.1, \"touchCost\": 1, "
                + "\"winBackUplift\": 0.1, \"netValuePerWonBack\": 5}")
                .post("/roi").then().statusCode(400).body("errors[0].field", equalTo("members"))
                .body("errors[0].reason", startsWith("must be a whole number"));
        // each amount finite, their sum and product were not: a cost of "Infinity" with 200 OK
        given().contentType(ContentType.JSON).body("{\"members\": 100, \"riskShare\": 0.1, \"touchCost\": 1e308, "
                + "\"couponCost\": 1e308, \"winBackUplift\": 0.1, \"netValuePerWonBack\": 5}")
                .post("/roi").then().statusCode(400).body("errors[0].field", equalTo("touchCost"))
                .body("errors[0].reason", equalTo("must be a finite amount within 0..10000000"));
        // what-if: members a whole number within bounds (2.5 was rounded to 3)
        String whatIf = "/roi/what-if?topShare=0.2&touchCost=1&netValuePerWonBack=60&winBackPerChurner=0.1&members=";
        // the rate's old name (it read as /roi's per-targeted uplift) is refused, naming the new one, not ignored
        given().get(whatIf.replace("winBackPerChurner", "baseWinBack") + "100").then().statusCode(400)
                .body("errors[0].field", equalTo("baseWinBack"))
                .body("errors[0].reason", containsString("winBackPerChurner"));
        for (String members : List.of("2.5", "1e12", "-1", "many")) {
            given().get(whatIf + members).then().statusCode(400).body("errors[0].field", equalTo("members"))
                    .body("errors[0].reason", equalTo("must be a whole number within 0..1000000000"));
        }
        given().get(whatIf.replace("netValuePerWonBack=60", "netValuePerWonBack=1e308") + "100").then().statusCode(400)
                .body("errors[0].field", equalTo("netValuePerWonBack"));
        given().get("/scores/top?k=0").then().statusCode(400).body("errors[0].field", equalTo("k"));
        given().get("/scores/top?k=ten").then().statusCode(400).body("errors[0].field", equalTo("k"));
        given().get("/stores/s1/top-risk?k=ten").then().statusCode(400).body("errors[0].field", equalTo("k"));
    }
}
