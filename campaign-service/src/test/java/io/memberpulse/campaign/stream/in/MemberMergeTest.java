package io.memberpulse.campaign.stream.in;

import static io.memberpulse.campaign.testdata.ChurnEvents.T1;
import static io.memberpulse.campaign.testdata.ChurnEvents.scored;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.google.protobuf.Timestamp;
import io.memberpulse.campaign.testdata.ChurnEvents;
import io.memberpulse.proto.identity.v1.MemberIdentityChange;
import io.memberpulse.proto.identity.v1.MemberMerged;
import io.memberpulse.proto.identity.v1.MemberSplit;
import io.memberpulse.proto.identity.v1.SplitPart;
import io.memberpulse.proto.kafka.Topics;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** member.merges: one person, one OPEN call task; facts and late records of an absorbed member follow it. */
@QuarkusTest
class MemberMergeTest {
    private static final Duration WAIT = Duration.ofSeconds(45);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    Pool database;

    KafkaCompanion kafka;
    String run;

    @BeforeEach
    void connect() {
        kafka = ChurnEvents.companion(bootstrapServers);
        run = ChurnEvents.run();
    }

    @AfterEach
    void close() {
        kafka.close();
    }

    @Test
    void theAbsorbedMembersTaskBecomesTheSurvivorsAndALateScoreUnderItLandsOnTheSurvivor() {
        String store = "mx-" + run;
        String absorbed = "a-" + run;
        String survivor = "s-" + run;
        // Two members of one store: the top 10% (one member) is the absorbed one.
        ChurnEvents.publish(kafka, List.of(scored(absorbed, store, 0.9, 200.0, T1), scored(survivor, store, 0.7, 100.0, T1)));
        await().atMost(WAIT).untilAsserted(() -> assertThat(callList(store)).containsExactly(absorbed));
        String taskId = openTasks(absorbed).get(0);

        MemberIdentityChange merge = merged(absorbed, survivor, Instant.now());
        produce(merge);

        // The call already on the list is the person's: same task, now the survivor's (the survivor has no other).
        await().atMost(WAIT).untilAsserted(() -> assertThat(callList(store)).containsExactly(survivor));
        assertThat(openTasks(absorbed)).isEmpty();
        assertThat(openTasks(survivor)).containsExactly(taskId);
        assertThat(riskOf(absorbed)).isEmpty();

        // A score still arriving under the absorbed id is the survivor's; a re-delivered merge changes nothing.
        produce(merge);
        ChurnEvents.publish(kafka, List.of(scored(absorbed, store, 0.95, 300.0, T1.plus(1, ChronoUnit.DAYS))));
        await().atMost(WAIT).untilAsserted(() -> assertThat(riskOf(survivor)).hasValue(0.95));
        assertThat(riskOf(absorbed)).isEmpty();
        await().atMost(WAIT).untilAsserted(() -> assertThat(given().get("/stores/{store}/call-list", store).then()
                .statusCode(200).extract().jsonPath().getDouble("tasks[0].churnProbability")).isEqualTo(0.95));
        assertThat(callList(store)).containsExactly(survivor);
        assertThat(openTasks(survivor)).containsExactly(taskId);
        assertThat(openTasks(absorbed)).isEmpty();
    }

    @Test
    void whenBothHaveAnOpenTaskTheAbsorbedMembersIsCancelledAndLeavesItsStoresList() {
        String storeX = "mx-" + run;
        String storeY = "my-" + run;
        String absorbed = "a-" + run;
        String survivor = "s-" + run;
        ChurnEvents.publish(kafka, List.of(scored(absorbed, storeX, 0.9, 200.0, T1), scored(survivor, storeY, 0.8, 100.0, T1)));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(callList(storeX)).containsExactly(absorbed);
            assertThat(callList(storeY)).containsExactly(survivor);
        });
        String absorbedTask = openTasks(absorbed).get(0);

        produce(merged(absorbed, survivor, Instant.now()));

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
        String absorbed = "a-" + run;
        String survivor = "s-" + run;
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

        produce(merged(absorbed, survivor, Instant.now()));
        await().atMost(WAIT).until(() -> survivorOf(absorbed).isPresent());
        ChurnEvents.publish(kafka, List.of(scored(survivor, store, 0.97, 300.0, T1.plus(1, ChronoUnit.DAYS)),
                scored(other, store, 0.5, 100.0, T1.plus(1, ChronoUnit.DAYS))));

        // the store's one SOP call goes to the next member: the person said no as the absorbed member
        await().atMost(WAIT).untilAsserted(() -> assertThat(callList(store)).containsExactly(other));
        assertThat(openTasks(survivor)).isEmpty();
    }

    @Test
    void aChainThatArrivesBackwardsEndsOnItsLastSurvivorAndASplitUndoesTheAlias() {
        String store = "mc-" + run;
        String a = "a-" + run;
        String b = "b-" + run;
        String c = "c-" + run;
        ChurnEvents.publish(kafka, List.of(scored(a, store, 0.9, 200.0, T1)));
        await().atMost(WAIT).untilAsserted(() -> assertThat(callList(store)).containsExactly(a));
        Instant first = Instant.now();

        // B→C happened after A→B, but arrives first (another partition).
        produce(merged(b, c, first.plusSeconds(60)));
        await().atMost(WAIT).untilAsserted(() -> assertThat(survivorOf(b)).hasValue(c));
        produce(merged(a, b, first));

        await().atMost(WAIT).untilAsserted(() -> assertThat(callList(store)).containsExactly(c));
        assertThat(survivorOf(a)).hasValue(c);
        assertThat(openTasks(a)).isEmpty();
        assertThat(openTasks(b)).isEmpty();
        assertThat(openTasks(c)).hasSize(1);
        assertThat(riskOf(c)).hasValue(0.9);

        // The merge A→B undone: A is its own member again, and its new score stays with it.
        produce(MemberIdentityChange.newBuilder().setSplit(MemberSplit.newBuilder().setOriginalMemberId(c)
                .setReason("two people").setSplitAt(timestamp(Instant.now()))
                .addParts(SplitPart.newBuilder().setMemberId(a))).build());
        await().atMost(WAIT).untilAsserted(() -> assertThat(survivorOf(a)).isEmpty());
        assertThat(survivorOf(b)).hasValue(c);
        ChurnEvents.publish(kafka, List.of(scored(a, store, 0.6, 50.0, T1.plus(2, ChronoUnit.DAYS))));
        await().atMost(WAIT).untilAsserted(() -> assertThat(riskOf(a)).hasValue(0.6));
        assertThat(riskOf(c)).hasValue(0.9);
    }

    /**
     * An absorbed member's facts all move to the survivor, so the assignment lookup found no member and answered 404.
     * The person's arm is the survivor's (their calls follow it, their purchases count for its enrolment); the
     * absorbed id's own enrolment stays as it was.
     */
    @Test
    void anAbsorbedMembersAssignmentIsTheSurvivorsWhileItsEnrolmentStaysUnderItsOwnId() {
        String store = "ma-" + run;
        String absorbed = "a-" + run;
        String survivor = "s-" + run;
        ChurnEvents.publish(kafka, List.of(scored(absorbed, store, 0.9, 200.0, T1), scored(survivor, store, 0.8, 100.0, T1)));
        await().atMost(WAIT).untilAsserted(() -> assertThat(riskOf(survivor)).isPresent());
        await().atMost(WAIT).untilAsserted(() -> assertThat(riskOf(absorbed)).isPresent());
        String campaign = given().contentType(ContentType.JSON).body("""
                {"name": "sms", "targetMinProbability": 0.5, "targetStoreId": "%s", "channel": "sms", "costPerTouch": 0.1,
                 "startAt": "2025-06-01T00:00:00Z", "endAt": "2025-07-01T00:00:00Z", "holdoutShare": 0.5}""".formatted(store))
                .post("/campaigns").then().statusCode(201).extract().path("campaign.id");
        given().contentType(ContentType.JSON).body("{\"state\": \"live\"}").post("/campaigns/{id}/state", campaign)
                .then().statusCode(200);
        Map<String, String> enrolled = enrolments(campaign);
        assertThat(enrolled).containsOnlyKeys(absorbed, survivor);
        given().get("/campaigns/{id}/members/{m}/assignment", campaign, absorbed).then().statusCode(200)
                .body("memberId", equalTo(absorbed)).body("arm", equalTo(enrolled.get(absorbed)));

        produce(merged(absorbed, survivor, Instant.now()));
        await().atMost(WAIT).untilAsserted(() -> assertThat(riskOf(absorbed)).isEmpty());

        given().get("/campaigns/{id}/members/{m}/assignment", campaign, absorbed).then().statusCode(200)
                .body("memberId", equalTo(survivor)).body("arm", equalTo(enrolled.get(survivor)));
        given().get("/campaigns/{id}/members/{m}/assignment", campaign, survivor).then().statusCode(200)
                .body("memberId", equalTo(survivor)).body("arm", equalTo(enrolled.get(survivor)));
        assertThat(enrolments(campaign)).isEqualTo(enrolled);
        given().contentType(ContentType.JSON).body("{\"state\": \"review\"}").post("/campaigns/{id}/state", campaign)
                .then().statusCode(200);
    }

    @Test
    void anUnreadableOrUnusableChangeIsDeadLetteredAloneAndItsNeighbourApplied() {
        String deadLetters = Topics.deadLetter(Topics.MEMBER_MERGES);
        ConsumerTask<String, byte[]> dlq = kafka.consume(String.class, byte[].class).fromTopics(deadLetters);
        String absorbed = "a-" + run;
        String survivor = "s-" + run;
        byte[] garbage = {0x0A, 0x05, 'x'};
        // A merge that names no absorbed member cannot be applied.
        MemberIdentityChange empty = merged("", survivor, Instant.now());
        MemberIdentityChange good = merged(absorbed, survivor, Instant.now());
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

    private void produce(MemberIdentityChange change) {
        String key = change.hasMerged() ? change.getMerged().getAbsorbedMemberId() : change.getSplit().getOriginalMemberId();
        kafka.produce(String.class, byte[].class)
                .fromRecords(new ProducerRecord<>(Topics.MEMBER_MERGES, key, change.toByteArray())).awaitCompletion();
    }

    private static MemberIdentityChange merged(String absorbed, String survivor, Instant at) {
        return MemberIdentityChange.newBuilder().setMerged(MemberMerged.newBuilder().setAbsorbedMemberId(absorbed)
                .setSurvivingMemberId(survivor).setRule("phone").setScore(1.0).setMergedAt(timestamp(at))).build();
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

    private static Optional<ConsumerRecord<String, byte[]>> deadLetter(ConsumerTask<String, byte[]> task, String key) {
        return task.getRecords().stream().filter(record -> key.equals(record.key())).findFirst();
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }
}
