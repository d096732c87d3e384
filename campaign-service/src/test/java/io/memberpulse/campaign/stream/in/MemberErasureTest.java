package io.memberpulse.campaign.stream.in;

import static io.memberpulse.campaign.testdata.ChurnEvents.T1;
import static io.memberpulse.campaign.testdata.ChurnEvents.scored;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Timestamp;
import io.memberpulse.campaign.WithKafkaCompanion;
import io.memberpulse.campaign.domain.experiment.Arm;
import io.memberpulse.campaign.domain.experiment.Assignment;
import io.memberpulse.campaign.store.IdentityChangeRepository;
import io.memberpulse.campaign.testdata.Campaigns;
import io.memberpulse.campaign.testdata.ChurnEvents;
import io.memberpulse.campaign.testdata.MemberEvents;
import io.memberpulse.campaign.testdata.SegmentEvents;
import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.proto.churn.v1.ChurnScored;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.Identifiers;
import io.memberpulse.proto.identity.v1.MemberErased;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.MemberIdentityChange;
import io.memberpulse.proto.identity.v1.Source;
import io.memberpulse.proto.kafka.Topics;
import io.memberpulse.proto.merges.IdentityChange;
import io.memberpulse.proto.segments.v1.SegmentChanged;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * member.merges' MemberErased (README, Erasure): the member's call, phone, member number, staff notes and id leave
 * every table and call list, the campaign's figures stay, and facts consumed after it are dropped, not recorded.
 */
@QuarkusTest
class MemberErasureTest extends WithKafkaCompanion {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String DROPPED = "memberpulse.campaign.erased.facts.dropped";

    @Inject
    Pool database;

    @Inject
    RedisDataSource redis;

    @Inject
    MeterRegistry registry;

    @Inject
    IdentityChangeRepository identities;

    @ConfigProperty(name = "memberpulse.redis.key-prefix")
    String keyPrefix;

    String run;

    @BeforeEach
    void connect() {
        MemberEvents.register(kafka);
        SegmentEvents.register(kafka);
        run = ChurnEvents.run();
    }

    @Test
    void anErasedMemberLeavesEveryTableAndListTheCampaignsFiguresStayAndLaterFactsAreDropped() {
        String store = "er-" + run;
        Campaigns.knownStore(kafka, store, run);
        Instant start = Campaigns.startAroundNow();
        String campaign = Campaigns.planned("""
                {"name": "erasure calls", "targetMinProbability": 0.5, "targetStoreId": "%s", "channel": "call",
                 "holdoutShare": 0.5, "startAt": "%s", "endAt": "%s"}""".formatted(store, start, start.plus(Campaigns.WINDOW)));
        String erased = Campaigns.members("e", run, 1, m -> arm(campaign, m) == Arm.TREATED).get(0);
        List<String> treated = Campaigns.members("t", run, 2, m -> arm(campaign, m) == Arm.TREATED);
        List<String> heldOut = Campaigns.members("h", run, 2, m -> arm(campaign, m) == Arm.HOLDOUT);
        String phone = "+86 13" + ThreadLocalRandom.current().nextLong(100_000_000L, 1_000_000_000L);
        String memberNo = "no-" + UUID.randomUUID();
        String note = "erasure note " + UUID.randomUUID();

        // The erased member is the store's riskiest: the SOP's one call of its top share, counted for the campaign.
        List<ChurnScored> scores = new ArrayList<>();
        scores.add(scored(erased, store, 0.95, 300, T1));
        treated.forEach(m -> scores.add(scored(m, store, 0.9, 100, T1)));
        heldOut.forEach(m -> scores.add(scored(m, store, 0.9, 100, T1)));
        ChurnEvents.publish(kafka, scores);
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM member_risk WHERE store_id = $1", store) == 6);
        MemberEvents.publish(kafka, List.of(contact(erased, phone, memberNo)));
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM member_number WHERE member_id = $1", erased) == 1);
        Campaigns.goLive(campaign);
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM campaign_member WHERE campaign_id = $1", campaign) == 5);

        // A call not reached, with the staff's note: it counts for the campaign and leaves no cool-down.
        ListedCall first = awaitListed(store, erased, null);
        given().header("Authorization", "Bearer " + AuthTestResource.staff(store)).contentType(ContentType.JSON)
                .body("{\"reached\": false, \"result\": \"not_reached\", \"note\": \"%s\", \"version\": %d}"
                        .formatted(note, first.version()))
                .post("/tasks/{id}/outcome", first.taskId()).then().statusCode(200);
        // A newer score replans the store: the member is called again, and staff reveal the phone to dial it.
        ChurnEvents.publish(kafka, List.of(scored(erased, store, 0.96, 300, T1.plus(1, ChronoUnit.DAYS))));
        ListedCall open = awaitListed(store, erased, first.taskId());
        given().header("Authorization", "Bearer " + AuthTestResource.staff(store)).post("/tasks/{id}/contact", open.taskId())
                .then().statusCode(200);
        Instant bought = Instant.now();
        List<String> buyers = List.of(erased, treated.get(0), heldOut.get(0));
        Campaigns.boughtOnce(kafka, database, store, buyers, bought, 40);
        // Read twice: the second read is served from Redis, which holds the member.
        assertThat(callList(store)).contains(erased);
        assertThat(callList(store)).contains(erased);
        assertThat(cachedCallList(store)).contains(erased);
        Map<String, Object> figures = figures(campaign);
        assertThat(Campaigns.results(campaign).getDouble("treated.members")).isEqualTo(3);
        assertThat(Campaigns.results(campaign).getDouble("holdout.members")).isEqualTo(2);
        List<String> personal = new ArrayList<>(List.of(erased, phone, memberNo, note));
        database.preparedQuery("SELECT masked_phone, phone FROM member_contact WHERE member_id = $1").execute(Tuple.of(erased))
                .await().indefinitely().forEach(row -> {
                    personal.add(row.getString(0));
                    personal.add(row.getString(1));
                });
        assertThat(personal).hasSize(6);
        assertThat(rowsNaming(personal)).isNotEmpty();

        MemberIdentityChange erasure = erasure(erased);
        produce(erased, erasure);
        await().atMost(WAIT).untilAsserted(() -> assertThat(callList(store)).doesNotContain(erased));
        assertThat(cachedCallListAfterRead(store)).doesNotContain(erased);
        assertThat(rowsNaming(personal)).isEmpty();
        assertThat(figures(campaign)).isEqualTo(figures);
        // Staff still holding the cancelled call: refused as any cancelled call.
        given().header("Authorization", "Bearer " + AuthTestResource.staff(store)).contentType(ContentType.JSON)
                .body("{\"reached\": true, \"result\": \"will_return\", \"note\": \"%s\", \"version\": %d}"
                        .formatted(note, open.version()))
                .post("/tasks/{id}/outcome", open.taskId()).then().statusCode(409);
        assertThat(rowsNaming(personal)).isEmpty();

        // Redelivered, and facts naming the member consumed after it: nothing comes back; the drops are counted.
        double dropped = dropped();
        produce(erased, erasure);
        String marker = "marker-" + run;
        kafka.produce(String.class, ChurnScored.class).fromRecords(
                new ProducerRecord<>(Topics.CHURN_SCORES, 0, erased, scored(erased, store, 0.99, 400, T1.plus(2, ChronoUnit.DAYS))),
                new ProducerRecord<>(Topics.CHURN_SCORES, 0, marker, scored(marker, "marker-" + store, 0.1, 1, T1)))
                .awaitCompletion();
        kafka.produce(String.class, SegmentChanged.class).fromRecords(
                new ProducerRecord<>(Topics.MEMBER_SEGMENTS, 0, erased,
                        SegmentEvents.change(erased, "churn-edge", true, Instant.now(), store)),
                new ProducerRecord<>(Topics.MEMBER_SEGMENTS, 0, marker,
                        SegmentEvents.change(marker, "marker-" + run, true, Instant.now(), null)))
                .awaitCompletion();
        kafka.produce(String.class, MemberEvent.class).fromRecords(
                new ProducerRecord<>(Topics.MEMBER_EVENTS, 0, erased, contact(erased, phone, memberNo)),
                new ProducerRecord<>(Topics.MEMBER_EVENTS, 0, marker, contact(marker, "+86 13900000000", "no-" + marker)))
                .awaitCompletion();
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM member_risk WHERE member_id = $1", marker) == 1
                && count("SELECT count(*) FROM member_segment WHERE member_id = $1", marker) == 1
                && count("SELECT count(*) FROM member_number WHERE member_id = $1", marker) == 1);
        assertThat(rowsNaming(personal)).isEmpty();
        assertThat(callList(store)).doesNotContain(erased);
        assertThat(figures(campaign)).isEqualTo(figures);
        assertThat(dropped()).isGreaterThanOrEqualTo(dropped + 3);
        given().contentType(ContentType.JSON).body("{\"state\": \"review\"}").post("/campaigns/{id}/state", campaign)
                .then().statusCode(200);
    }

    /**
     * A merge or split replayed after the erasure (or arriving late) that names the erased member moves nothing into or
     * out of it: the other member keeps its score and gets no alias, and no key naming the erased member is kept.
     */
    @Test
    void aMergeOrSplitNamingAnErasedMemberMovesNothing() {
        String erased = "ee-" + run;
        String other = "eo-" + run;
        String store = "em-" + run;
        ChurnEvents.publish(kafka, List.of(scored(erased, store, 0.5, 100, T1), scored(other, store, 0.4, 100, T1)));
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM member_risk WHERE store_id = $1", store) == 2);

        assertThat(apply(new IdentityChange.Erasure(erased, List.of(), Instant.now())).applied()).isTrue();
        assertThat(apply(new IdentityChange.Erasure(erased, List.of(), Instant.now())).applied()).isFalse();
        for (IdentityChange change : List.<IdentityChange>of(
                new IdentityChange.Merge(erased, other, Instant.now()),
                new IdentityChange.Merge(other, erased, Instant.now()),
                new IdentityChange.Split(erased, List.of(new IdentityChange.Part(other,
                        List.of(new IdentityChange.EventKey("pos", "ev-" + run)))), Instant.now()))) {
            IdentityChangeRepository.Applied applied = apply(change);
            assertThat(applied.applied()).as(change.key()).isFalse();
            assertThat(applied.namesErased()).as(change.key()).isTrue();
        }
        assertThat(count("SELECT count(*) FROM member_risk WHERE member_id = $1", other)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM member_alias WHERE absorbed_member_id = $1", other)).isZero();
        assertThat(rowsNaming(List.of(erased))).isEmpty();
    }

    private IdentityChangeRepository.Applied apply(IdentityChange change) {
        return identities.apply(change, Instant.now()).await().indefinitely();
    }

    private record ListedCall(String taskId, long version) {
    }

    private static Arm arm(String campaign, String member) {
        return Assignment.of(campaign, member, 0.5, List.of()).arm();
    }

    /** The member's call once the store's list holds one other than {@code except}. */
    private static ListedCall awaitListed(String store, String member, String except) {
        return await().atMost(WAIT).until(() -> {
            var list = given().get("/stores/{s}/call-list", store).then().statusCode(200).extract().jsonPath();
            int at = list.getList("tasks.memberId", String.class).indexOf(member);
            return at < 0 ? null : new ListedCall(list.getString("tasks[" + at + "].taskId"),
                    list.getLong("tasks[" + at + "].version"));
        }, call -> call != null && !call.taskId().equals(except));
    }

    /** A visit reporting the member's full phone and POS member number. */
    private static MemberEvent contact(String member, String phone, String memberNo) {
        return MemberEvent.newBuilder().setMemberId(member).setEvent(ChannelEvent.newBuilder()
                .setEventId("v-" + UUID.randomUUID()).setSource(Source.SOURCE_POS).setType(EventType.EVENT_TYPE_VISIT)
                .setStoreId("visit-store").setOccurredAt(Timestamp.newBuilder().setSeconds(T1.getEpochSecond()))
                .setIdentifiers(Identifiers.newBuilder().setPhone(phone).setMemberNo(memberNo))).build();
    }

    private static MemberIdentityChange erasure(String member) {
        Instant now = Instant.now();
        return MemberIdentityChange.newBuilder().setErased(MemberErased.newBuilder().setMemberId(member)
                .setErasedAt(Timestamp.newBuilder().setSeconds(now.getEpochSecond())).setErasureId("er-" + member)).build();
    }

    private void produce(String key, MemberIdentityChange change) {
        kafka.produce(String.class, byte[].class)
                .fromRecords(new ProducerRecord<>(Topics.MEMBER_MERGES, key, change.toByteArray())).awaitCompletion();
    }

    private static List<String> callList(String store) {
        return given().get("/stores/{store}/call-list", store).then().statusCode(200)
                .extract().jsonPath().getList("tasks.memberId", String.class);
    }

    /** The list Redis holds for the store (empty when none). */
    private String cachedCallList(String store) {
        String cached = redis.value(String.class).get(keyPrefix + "call-list:" + store);
        return cached == null ? "" : cached;
    }

    /** The list Redis holds once a read has cached it again. */
    private String cachedCallListAfterRead(String store) {
        return await().atMost(WAIT).until(() -> {
            callList(store);
            return cachedCallList(store);
        }, cached -> !cached.isEmpty());
    }

    /** The campaign's results as REST answers them (each arm's members and figures, cost, gain, ROI): what must not move. */
    private static Map<String, Object> figures(String campaign) {
        return new TreeMap<>(Campaigns.results(campaign).getMap("$"));
    }

    /** "table: row" of every row of every table (but erased_member, whose ids are the point) naming any of the texts. */
    private List<String> rowsNaming(List<String> texts) {
        List<String> found = new ArrayList<>();
        for (Row table : database.query("""
                SELECT table_name FROM information_schema.tables
                WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
                  AND table_name NOT IN ('erased_member', 'flyway_schema_history')""").execute().await().indefinitely()) {
            String name = table.getString(0);
            database.preparedQuery("SELECT t::text FROM \"" + name + "\" t WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) x WHERE strpos(t::text, x) > 0)")
                    .execute(Tuple.of(texts.toArray(String[]::new))).await().indefinitely()
                    .forEach(row -> found.add(name + ": " + row.getString(0)));
        }
        return found;
    }

    private long count(String sql, String argument) {
        return database.preparedQuery(sql).execute(Tuple.of(argument)).await().indefinitely().iterator().next().getLong(0);
    }

    private double dropped() {
        return registry.find(DROPPED).counters().stream().mapToDouble(counter -> counter.count()).sum();
    }
}
