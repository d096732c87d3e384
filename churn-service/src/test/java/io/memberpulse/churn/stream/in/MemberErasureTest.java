package io.memberpulse.churn.stream.in;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.google.protobuf.Timestamp;
import io.memberpulse.churn.ScoreMembersService;
import io.memberpulse.churn.domain.ChurnScore;
import io.memberpulse.churn.domain.features.Activity;
import io.memberpulse.churn.store.ModelInputRepository;
import io.memberpulse.churn.store.ScoreCache;
import io.memberpulse.churn.store.StreamClockRepository;
import io.memberpulse.proto.campaign.v1.InterventionOutcome;
import io.memberpulse.proto.campaign.v1.OutcomeResult;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.Identifiers;
import io.memberpulse.proto.identity.v1.MemberErased;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.MemberIdentityChange;
import io.memberpulse.proto.identity.v1.MemberMerged;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.Review;
import io.memberpulse.proto.identity.v1.Source;
import io.memberpulse.proto.kafka.Topics;
import io.memberpulse.proto.merges.IdentityChange;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * member.merges MemberErased: every row kept under the erased member (and the member merged into it) goes, Redis
 * forgets its score and ranks, and facts consumed after the erasure naming either id are dropped, not recorded.
 */
@QuarkusTest
class MemberErasureTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Instant NOT_BEFORE = Instant.parse("2030-01-01T00:00:00Z");
    /**
     * Tables that keep ids by design: the erased ids themselves. The applied changes' keys naming them go (a merge or
     * split naming an erased id moves nothing, so a replay needs no key).
     */
    private static final List<String> KEEPING_IDS = List.of("erased_member", "flyway_schema_history");

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "memberpulse.redis.key-prefix")
    String redisPrefix;

    @Inject
    ModelInputRepository inputs;

    @Inject
    StreamClockRepository streamClock;

    @Inject
    RedisDataSource redis;

    @Inject
    MeterRegistry meters;

    @Inject
    Pool pool;

    @Inject
    ScoreMembersService scoring;

    @Inject
    ScoreCache cache;

    KafkaCompanion kafka;
    String run;
    String store;
    Instant now;

    @BeforeEach
    void connect() {
        kafka = new KafkaCompanion(bootstrapServers);
        run = UUID.randomUUID().toString().substring(0, 8);
        store = "erase-" + run;
        Instant clock = streamClock.watermark().await().indefinitely().orElse(NOT_BEFORE);
        now = clock.isAfter(NOT_BEFORE) ? clock : NOT_BEFORE;
    }

    @AfterEach
    void close() {
        kafka.close();
    }

    @Test
    void anErasedMembersRowsAndCacheGoAndLaterFactsNamingItAreDropped() {
        String erased = "x-" + run;
        String absorbed = "xa-" + run;
        String other = "o-" + run;
        String secret = "my-private-review-" + run;
        produce(Topics.MEMBER_EVENTS, erased, order(erased, erased + "-0", days(-90), "no-" + run),
                order(erased, erased + "-1", days(-40), null), review(erased, erased + "-r", days(-39), secret));
        produce(Topics.MEMBER_EVENTS, absorbed, order(absorbed, absorbed + "-0", days(-70), null));
        produce(Topics.MEMBER_EVENTS, other, order(other, other + "-0", days(-60), null));
        produce(Topics.INTERVENTION_OUTCOMES, erased, outcome("t-" + run, erased));
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + absorbed + "/score").then().statusCode(200));
        produce(Topics.MEMBER_MERGES, absorbed, merged(absorbed, erased));
        await().atMost(WAIT).untilAsserted(() -> {
            given().get("/members/" + absorbed + "/score").then().statusCode(404);
            assertThat(factsOf(erased)).hasSize(5); // 3 orders, the review, the outcome
            given().get("/members/" + erased + "/score").then().statusCode(200);
        });
        given().get("/stores/" + store + "/top-risk?k=10").then().statusCode(200).body("size()", equalTo(2));
        assertThat(rowsNaming(erased)).as("the member is stored before the erasure").isNotEmpty();
        double dropped = dropped(Topics.MEMBER_EVENTS) + dropped(Topics.INTERVENTION_OUTCOMES);
        // a batch score made before the erasure, kept with its job (GET /jobs/{id}/scores)
        UUID batch = UUID.randomUUID();
        pool.preparedQuery("""
                INSERT INTO churn_job (id, kind, state, horizon_days, scores_csv_gz, created_at, finished_at, heartbeat_at)
                VALUES ($1, 'batch-score', 'succeeded', 90, $2, now() - interval '6 days', now() - interval '6 days', now())""")
                .execute(Tuple.of(batch, io.vertx.core.buffer.Buffer.buffer(gzip("member_id,member_no,churn_probability\r\n"
                        + erased + ",no-" + run + ",0.500000\r\n" + other + ",,0.250000\r\n"))))
                .await().indefinitely();

        MemberIdentityChange erasure = erased(erased, absorbed);
        produce(Topics.MEMBER_MERGES, erased, erasure);

        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + erased + "/score").then().statusCode(404));
        assertErased(erased, absorbed, secret);
        given().get("/stores/" + store + "/top-risk?k=10").then().statusCode(200)
                .body("size()", equalTo(1)).body("[0].memberId", equalTo(other));
        given().get("/scores/top?k=1000").then().statusCode(200)
                .body("findAll { it.memberId == '" + erased + "' }.size()", equalTo(0));
        assertThat(given().get("/jobs/" + batch + "/scores").then().statusCode(200).extract().asString())
                .isEqualTo("member_id,member_no,churn_probability\r\n" + other + ",,0.250000\r\n");

        // Facts consumed after the erasure, under the erased id and under the id merged into it, then a marker for
        // another member on the same partitions: once the marker is recorded, those facts were consumed before it.
        produce(Topics.MEMBER_EVENTS, erased, order(erased, erased + "-late", days(-1), "no-" + run),
                order(absorbed, absorbed + "-late", days(-1), null), order("m1-" + run, "m1-" + run, days(-2), null));
        produce(Topics.INTERVENTION_OUTCOMES, erased, outcome("t2-" + run, erased), outcome("t3-" + run, "m2-" + run));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(factsOf("m1-" + run)).hasSize(1);
            assertThat(factsOf("m2-" + run)).hasSize(1);
        });
        assertThat(dropped(Topics.MEMBER_EVENTS) + dropped(Topics.INTERVENTION_OUTCOMES) - dropped)
                .as("the late facts were counted as dropped").isGreaterThanOrEqualTo(3);

        // The erasure delivered again, and a merge into the erased member replayed: nothing moves into it.
        String later = "l-" + run;
        produce(Topics.MEMBER_EVENTS, later, order(later, later + "-0", days(-50), null));
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + later + "/score").then().statusCode(200));
        produce(Topics.MEMBER_MERGES, erased, erasure, merged(later, erased));
        awaitMergesAppliedThrough(erased);
        assertThat(factsOf(later)).as("a replayed merge into an erased member moves nothing").hasSize(1);
        given().get("/members/" + later + "/score").then().statusCode(200);
        assertErased(erased, absorbed, secret);
        assertThat(erasedIds(erased, absorbed)).contains(erased, absorbed);
    }

    /**
     * A MemberErased delivered again after a crash between its commit and its Redis deletion clears Redis of every id
     * the first application erased: the member found merged into the erased one too, though the message does not name
     * it and its alias is gone (applied directly, as the consumer does, to put the alias's entry back in between).
     */
    @Test
    void aRedeliveredErasureClearsRedisOfTheMembersItFoundMergedIntoTheErasedOne() {
        String erased = "rx-" + run;
        String alias = "rxa-" + run;
        scoring.record(List.of(order(erased, erased + "-0", days(-60), null), order(alias, alias + "-0", days(-30), null)));
        ChurnScore aliasScore = cache.get(alias).await().indefinitely().orElseThrow();
        scoring.rekey(List.of(new IdentityChange.Merge(erased, alias, Instant.now())));
        IdentityChange.Erasure erasure = new IdentityChange.Erasure(erased, List.of(), Instant.now());
        scoring.rekey(List.of(erasure));
        assertThat(erasedIds(erased, alias)).as("the alias found was erased with the member").contains(erased, alias);

        // Redis holds the alias's score and ranks, as when the first application crashed before deleting them
        cache.putAll(List.of(aliasScore), Map.of()).await().indefinitely();
        assertThat(cache.get(alias).await().indefinitely()).isPresent();
        scoring.rekey(List.of(erasure));

        assertThat(cache.get(alias).await().indefinitely()).as("the alias's score").isEmpty();
        assertThat(redis.sortedSet(String.class).zscore(redisPrefix + "top:*", alias)).isEmpty();
        assertThat(redis.sortedSet(String.class).zscore(redisPrefix + "top:" + store, alias)).isEmpty();
    }

    private void assertErased(String erased, String absorbed, String secret) {
        given().get("/members/" + erased + "/score").then().statusCode(404);
        given().get("/members/" + absorbed + "/score").then().statusCode(404);
        assertThat(rowsNaming(erased)).isEmpty();
        assertThat(rowsNaming(absorbed)).isEmpty();
        assertThat(rowsNaming(secret)).isEmpty();
        assertThat(rowsNaming("no-" + run)).as("the member number").isEmpty();
        assertThat(redis.value(String.class).get(redisPrefix + "score:" + erased)).isNull();
        assertThat(redis.sortedSet(String.class).zscore(redisPrefix + "top:*", erased)).isEmpty();
        assertThat(redis.sortedSet(String.class).zscore(redisPrefix + "top:" + store, erased)).isEmpty();
    }

    /** "table: row" of every row of every table (but those keeping ids by design) whose text holds the value. */
    private List<String> rowsNaming(String value) {
        List<String> tables = pool.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
                + " AND table_type = 'BASE TABLE'").execute().await().indefinitely().stream()
                .map(row -> row.getString(0)).filter(table -> !KEEPING_IDS.contains(table)).toList();
        assertThat(tables).contains("purchase_line", "member_activity", "churn_score", "member_number", "member_alias");
        List<String> found = new ArrayList<>();
        for (String table : tables) {
            pool.preparedQuery("SELECT t::text FROM " + table + " t WHERE strpos(t::text, $1) > 0")
                    .execute(Tuple.of(value)).await().indefinitely()
                    .forEach(row -> found.add(table + ": " + row.getString(0)));
        }
        return found;
    }

    private List<String> erasedIds(String... memberIds) {
        return pool.preparedQuery("SELECT member_id FROM erased_member WHERE member_id = ANY($1)")
                .execute(Tuple.of((Object) memberIds)).await().indefinitely().stream()
                .map(row -> row.getString(0)).toList();
    }

    private double dropped(String topic) {
        Counter counter = meters.find("memberpulse.churn.erased.facts.dropped").tag("topic", topic).counter();
        return counter == null ? 0 : counter.count();
    }

    private List<Activity> factsOf(String member) {
        return inputs.activitiesOf(List.of(member)).await().indefinitely().getOrDefault(member, List.of());
    }

    /** Returns once the member.merges records produced so far under this key are applied (MemberMergeTest's marker). */
    private void awaitMergesAppliedThrough(String key) {
        String from = "marker-" + UUID.randomUUID();
        produce(Topics.MEMBER_EVENTS, from, order(from, from, days(-10), null));
        await().atMost(WAIT).untilAsserted(() -> assertThat(factsOf(from)).hasSize(1));
        produce(Topics.MEMBER_MERGES, key, merged(from, "marker-" + UUID.randomUUID()));
        await().atMost(WAIT).untilAsserted(() -> assertThat(factsOf(from)).isEmpty());
    }

    private void produce(String topic, String key, com.google.protobuf.Message... values) {
        kafka.produce(String.class, byte[].class).fromRecords(java.util.Arrays.stream(values)
                .map(value -> new ProducerRecord<>(topic, key, value.toByteArray())).toList()).awaitCompletion(WAIT);
    }

    private Instant days(int offset) {
        return now.plus(Duration.ofDays(offset));
    }

    private MemberEvent order(String member, String eventId, Instant at, String memberNo) {
        ChannelEvent.Builder event = ChannelEvent.newBuilder().setEventId(eventId).setSource(Source.SOURCE_POS)
                .setType(EventType.EVENT_TYPE_ORDER).setOccurredAt(timestamp(at)).setStoreId(store)
                .setLine(OrderLine.newBuilder().setOrderId(eventId + "-o").setQuantity(1).setPaidAmount(30));
        if (memberNo != null) {
            event.setIdentifiers(Identifiers.newBuilder().setMemberNo(memberNo));
        }
        return MemberEvent.newBuilder().setMemberId(member).setEvent(event).build();
    }

    private MemberEvent review(String member, String eventId, Instant at, String text) {
        return MemberEvent.newBuilder().setMemberId(member).setEvent(ChannelEvent.newBuilder().setEventId(eventId)
                .setSource(Source.SOURCE_POS).setType(EventType.EVENT_TYPE_REVIEW).setOccurredAt(timestamp(at))
                .setStoreId(store).setReview(Review.newBuilder().setRating(2).setText(text))).build();
    }

    private InterventionOutcome outcome(String task, String member) {
        return InterventionOutcome.newBuilder().setTaskId(task).setMemberId(member).setStoreId(store).setReached(true)
                .setResult(OutcomeResult.OUTCOME_RESULT_WILL_RETURN).setRecordedAt(timestamp(days(-20))).build();
    }

    private static MemberIdentityChange merged(String absorbed, String survivor) {
        return MemberIdentityChange.newBuilder().setMerged(MemberMerged.newBuilder().setAbsorbedMemberId(absorbed)
                .setSurvivingMemberId(survivor).setRule("phone").setScore(1).setMergedAt(timestamp(Instant.now()))).build();
    }

    private static MemberIdentityChange erased(String member, String absorbed) {
        return MemberIdentityChange.newBuilder().setErased(MemberErased.newBuilder().setMemberId(member)
                .addAbsorbedMemberIds(absorbed).setErasedAt(timestamp(Instant.now()))
                .setErasureId(UUID.randomUUID().toString())).build();
    }

    private static byte[] gzip(String text) {
        var bytes = new java.io.ByteArrayOutputStream();
        try (var out = new java.util.zip.GZIPOutputStream(bytes)) {
            out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static Timestamp timestamp(Instant at) {
        return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
    }
}
