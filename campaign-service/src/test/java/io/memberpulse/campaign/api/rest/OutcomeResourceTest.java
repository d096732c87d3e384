package io.memberpulse.campaign.api.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.hamcrest.Matchers.hasItem;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.memberpulse.campaign.SimulatedClock;
import io.memberpulse.campaign.WithKafkaCompanion;
import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.campaign.testdata.Campaigns;
import io.memberpulse.campaign.testdata.ChurnEvents;
import io.memberpulse.proto.campaign.v1.CampaignServiceGrpc;
import io.memberpulse.proto.campaign.v1.InterventionOutcome;
import io.memberpulse.proto.campaign.v1.OutcomeResult;
import io.memberpulse.proto.campaign.v1.RecordOutcomeRequest;
import io.memberpulse.proto.checks.FieldChecks;
import io.memberpulse.proto.kafka.InterventionOutcomeDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.proto.kafka.Topics;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class OutcomeResourceTest extends WithKafkaCompanion {
    @Inject
    SimulatedClock clock;

    /** The serdes of the payloads this test publishes or reads, beside ChurnScored's. */
    @BeforeEach
    void registerSerdes() {
        kafka.registerSerde(InterventionOutcome.class, ProtobufSerdes.of(new InterventionOutcomeDeserializer()));
    }

    /** A store of ten members whose riskiest three get calls; returns the call list. */
    /** A follow-up a week from today: a follow-up is from yesterday to a year ahead. */
    static final String FOLLOW_UP = LocalDate.now(ZoneOffset.UTC).plusDays(7).toString();

    static String body(boolean reached, String result, String note, long version) {
        return """
                {"reached": %s, "result": "%s", "note": "%s", "followUpDate": "%s", "version": %d}"""
                .formatted(reached, result, note, FOLLOW_UP, version);
    }

    @Test
    void anOutcomeClosesTheTaskIsPublishedAndARepeatChangesNothing() {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        JsonPath list = Campaigns.storeWithFirstCall(kafka, store, run, Duration.ofSeconds(20));
        String taskId = list.getString("tasks[0].taskId");
        String memberId = list.getString("tasks[0].memberId");
        long version = list.getLong("tasks[0].version");
        var published = kafka.consume(String.class, InterventionOutcome.class).fromTopics(Topics.INTERVENTION_OUTCOMES);

        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + AuthTestResource.staff(store)).body(body(true, "will_return", "next week", version))
                .post("/tasks/{id}/outcome", taskId)
                .then().statusCode(200).body("status", equalTo("DONE")).body("repeated", equalTo(false))
                .body("result", equalTo("will_return"));
        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + AuthTestResource.staff(store)).body(body(true, "will_return", "next week", version))
                .post("/tasks/{id}/outcome", taskId)
                .then().statusCode(200).body("repeated", equalTo(true));
        given().contentType(ContentType.JSON).body(body(true, "complaint", "", version))
                .post("/tasks/{id}/outcome", taskId)
                .then().statusCode(409).body("detail", containsString("another outcome"));

        await().atMost(Duration.ofSeconds(20)).until(() -> published.getRecords().stream()
                .anyMatch(r -> r.key().equals(memberId) && r.value().getTaskId().equals(taskId)
                        && r.value().getResult() == OutcomeResult.OUTCOME_RESULT_WILL_RETURN
                        && r.value().getFollowUpDate().equals(FOLLOW_UP)
                        // the staff's note stays in campaign-service: not on the topic in any field
                        && !r.value().toByteString().toStringUtf8().contains("next week")));
        // Published once: the repeat sent nothing.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> published.getRecords().stream()
                .filter(r -> r.value().getTaskId().equals(taskId)).count() == 1);
        published.stop();
        // The closed task has left the call list.
        given().get("/stores/{s}/call-list", store).then().statusCode(200).body("tasks.taskId", not(hasItem(taskId)));
    }

    @Test
    void staleVersionsOtherStoresAndBadInputAreRefused() {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        JsonPath list = Campaigns.storeWithFirstCall(kafka, store, run, Duration.ofSeconds(20));
        String taskId = list.getString("tasks[0].taskId");
        long version = list.getLong("tasks[0].version");

        given().contentType(ContentType.JSON).body(body(true, "will_return", "", version + 1))
                .post("/tasks/{id}/outcome", taskId).then().statusCode(409);
        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + AuthTestResource.staff("another-store")).body(body(true, "will_return", "", version))
                .post("/tasks/{id}/outcome", taskId).then().statusCode(404);
        given().contentType(ContentType.JSON).body(body(true, "maybe", "", version))
                .post("/tasks/{id}/outcome", taskId).then().statusCode(400).body("errors[0].field", equalTo("result"));
        given().contentType(ContentType.JSON).body(body(false, "will_return", "", version))
                .post("/tasks/{id}/outcome", taskId).then().statusCode(400).body("errors[0].field", equalTo("result"));
        given().contentType(ContentType.JSON).body("{\"reached\": true, \"result\": \"will_return\"}")
                .post("/tasks/{id}/outcome", taskId).then().statusCode(400).body("errors[0].field", equalTo("version"));
        given().contentType(ContentType.JSON).body(body(true, "will_return", "", version).replace(FOLLOW_UP, "next week"))
                .post("/tasks/{id}/outcome", taskId).then().statusCode(400)
                .body("errors[0].field", equalTo("followUpDate")) // as the body spells it, not the wire's follow_up_date
                .body("detail", startsWith("followUpDate: not an ISO-8601 date"));
        // A note PostgreSQL cannot store (\\u0000 in the JSON: a NUL; a 500 before), a follow-up in the past or years
        // ahead (a year -1 was a 500, a year 20260 stored as given), a version with a fraction (read as 3 before).
        given().contentType(ContentType.JSON).body(body(true, "will_return", "back\\u0000soon", version))
                .post("/tasks/{id}/outcome", taskId).then().statusCode(400).body("errors[0].field", equalTo("note"))
                .body("errors[0].reason", equalTo("must not contain control characters other than tab and line breaks"));
        for (String date : List.of("-0001-01-01", "2016-01-01", "+20260-01-01")) {
            given().contentType(ContentType.JSON).body(body(true, "will_return", "", version).replace(FOLLOW_UP, date))
                    .post("/tasks/{id}/outcome", taskId).then().statusCode(400)
                    .body("errors[0].field", equalTo("followUpDate"))
                    .body("errors[0].reason", containsString(" is outside "));
        }
        given().contentType(ContentType.JSON).body(body(true, "will_return", "", version).replace("\"version\": " + version,
                        "\"version\": " + version + ".9"))
                .post("/tasks/{id}/outcome", taskId).then().statusCode(400).body("errors[0].field", equalTo("version"));
        given().get("/stores/{s}/call-list", store).then().statusCode(200).body("tasks.taskId", hasItem(taskId));
        given().contentType(ContentType.JSON).body("{\"reached\": tru")
                .post("/tasks/{id}/outcome", taskId).then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("body")).body("detail", startsWith("body: malformed JSON at line 1, column"));
        given().contentType(ContentType.JSON).body("{\"reached\": true, \"result\": \"will_return\", \"version\": \"latest\"}")
                .post("/tasks/{id}/outcome", taskId).then().statusCode(400)
                .body("errors[0].field", equalTo("version")).body("errors[0].reason", equalTo("must be a whole number, was \"latest\""));
        // A misspelt field is refused, not dropped: follow_up_date would have recorded no follow-up at all.
        given().contentType(ContentType.JSON).body(body(true, "will_return", "", version).replace("followUpDate", "follow_up_date"))
                .post("/tasks/{id}/outcome", taskId).then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("follow_up_date"))
                .body("errors[0].reason", startsWith("is not a known field (known: followUpDate, note, reached, result, version)"));
        given().contentType(ContentType.JSON).body(body(true, "will_return", "", 0))
                .post("/tasks/{id}/outcome", "no-such-task").then().statusCode(404);

        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext()
                .intercept(AuthTestResource.as(AuthTestResource.analyst())).build();
        try {
            var stub = CampaignServiceGrpc.newBlockingStub(channel);
            assertThatThrownBy(() -> stub.recordOutcome(RecordOutcomeRequest.newBuilder().setTaskId(taskId).setReached(true)
                    .setResult(OutcomeResult.OUTCOME_RESULT_WILL_RETURN).setVersion(version + 5).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ABORTED));
            assertThatThrownBy(() -> stub.recordOutcome(RecordOutcomeRequest.newBuilder().setTaskId(taskId).setReached(true)
                    .setVersion(version).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(e.getStatus().getDescription()).startsWith("result");
                    });
            var done = stub.recordOutcome(RecordOutcomeRequest.newBuilder().setTaskId(taskId).setReached(false)
                    .setResult(OutcomeResult.OUTCOME_RESULT_NOT_REACHED).setVersion(version).build());
            assertThat(done.getStatus().name()).isEqualTo("TASK_STATUS_DONE");
        } finally {
            channel.shutdownNow();
        }
    }

    /**
     * The follow-up window is in the day zone (Asia/Shanghai), as follow-ups are applied: at 23:30 UTC it is already
     * tomorrow there, and the window's last day counted from the local today was refused, a day past the UTC one.
     */
    @Test
    void theFollowUpWindowIsOfTheDayZonesCalendar() {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        JsonPath list = Campaigns.storeWithFirstCall(kafka, store, run, Duration.ofSeconds(20));
        Instant lateEvening = LocalDate.now(ZoneOffset.UTC).atTime(23, 30).toInstant(ZoneOffset.UTC);
        LocalDate localToday = LocalDate.ofInstant(lateEvening, ZoneId.of("Asia/Shanghai"));
        clock.set(lateEvening);
        try {
            given().contentType(ContentType.JSON)
                    .body("{\"reached\": false, \"result\": \"not_reached\", \"followUpDate\": \"%s\", \"version\": %d}"
                            .formatted(localToday.plusDays(FieldChecks.MAX_FOLLOW_UP_DAYS), list.getLong("tasks[0].version")))
                    .post("/tasks/{id}/outcome", list.getString("tasks[0].taskId"))
                    .then().statusCode(200).body("status", equalTo("DONE"));
        } finally {
            clock.reset();
        }
    }

    /** Two identical submits at once (a double tap, a retry on a slow line): both answer 200, one outcome goes out. */
    @Test
    void identicalSubmitsAtOnceAllAnswerAndPublishOnce() throws Exception {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        JsonPath list = Campaigns.storeWithFirstCall(kafka, store, run, Duration.ofSeconds(20));
        String taskId = list.getString("tasks[0].taskId");
        String body = body(true, "will_return", "see you", list.getLong("tasks[0].version"));
        var published = kafka.consume(String.class, InterventionOutcome.class).fromTopics(Topics.INTERVENTION_OUTCOMES);
        // Several at once, so that some of them read the task OPEN before the first commits (a lost race).
        ExecutorService submitters = Executors.newFixedThreadPool(6);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                statuses.add(submitters.submit(() -> {
                    start.await();
                    return given().contentType(ContentType.JSON)
                            .header("Authorization", "Bearer " + AuthTestResource.staff(store)).body(body)
                            .post("/tasks/{id}/outcome", taskId).statusCode();
                }));
            }
            start.countDown();
            for (Future<Integer> status : statuses) {
                assertThat(status.get(30, TimeUnit.SECONDS)).isEqualTo(200);
            }
        } finally {
            submitters.shutdownNow();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> published.getRecords().stream()
                .anyMatch(r -> r.value().getTaskId().equals(taskId)));
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> published.getRecords().stream()
                .filter(r -> r.value().getTaskId().equals(taskId)).count() == 1);
        published.stop();
    }
}
