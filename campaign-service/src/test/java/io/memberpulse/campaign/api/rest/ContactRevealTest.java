package io.memberpulse.campaign.api.rest;

import static io.memberpulse.campaign.testdata.ChurnEvents.T1;
import static io.memberpulse.campaign.testdata.ChurnEvents.scored;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.memberpulse.campaign.testdata.ChurnEvents;
import io.memberpulse.campaign.testdata.MemberEvents;
import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.proto.churn.v1.ChurnScored;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.Identifiers;
import io.memberpulse.proto.identity.v1.Source;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Staff dial from the call list: it shows the member number and the masked phone; the full phone is revealed per OPEN
 * task of their own store, and each reveal is recorded.
 */
@QuarkusTest
class ContactRevealTest {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    Pool database;

    @Inject
    MeterRegistry registry;

    @Test
    void staffOfTheStoreGetThePhoneOfAnOpenTaskEachRevealRecordedOthersNot() {
        String run = ChurnEvents.run();
        String store = "cr-" + run;
        String member = "m-" + run + "-1";
        String task = listedWithContact(run, store, member);

        // Another store's staff: answered as an unknown task, nothing recorded.
        as(AuthTestResource.staff("other-" + run)).post("/tasks/{id}/contact", task).then().statusCode(404)
                .body("detail", equalTo("no task " + task));
        assertThat(revealsOf(task)).isEmpty();

        double before = registry.counter("memberpulse.campaign.contact.reveals").count();
        as(AuthTestResource.staff(store)).post("/tasks/{id}/contact", task).then().statusCode(200)
                .header("Cache-Control", "no-store")
                .body("taskId", equalTo(task)).body("memberId", equalTo(member))
                .body("phone", equalTo("+86 139-1234-5678"));
        assertThat(revealsOf(task)).containsExactly(member + " staff@" + store);
        assertThat(registry.counter("memberpulse.campaign.contact.reveals").count()).isEqualTo(before + 1);

        // Once the outcome is recorded the call is made: 409, nothing more recorded.
        long version = given().get("/stores/{s}/call-list", store).then().extract().jsonPath().getLong("tasks[0].version");
        as(AuthTestResource.staff(store)).contentType(ContentType.JSON)
                .body("{\"reached\": true, \"result\": \"will_return\", \"version\": " + version + "}")
                .post("/tasks/{id}/outcome", task).then().statusCode(200);
        as(AuthTestResource.staff(store)).post("/tasks/{id}/contact", task).then().statusCode(409)
                .body("detail", equalTo("task " + task + " is done: its member's phone is revealed only while the task is open"));
        assertThat(revealsOf(task)).hasSize(1);
    }

    @Test
    void anUnknownTaskIsNotFoundAndAPhoneReportedMaskedRevealsNothing() {
        as(AuthTestResource.analyst()).post("/tasks/{id}/contact", "no-such-task").then().statusCode(404);

        String run = ChurnEvents.run();
        String store = "cm-" + run;
        String member = "m-" + run + "-1";
        publish(run, store, member, "138****8000", "");
        String task = listed(run, store, member, "138****8000");
        as(AuthTestResource.analyst()).post("/tasks/{id}/contact", task).then().statusCode(200)
                .body("phone", nullValue());
        assertThat(revealsOf(task)).isEmpty();
    }

    /** The member's phone and number reported, the member listed first in the store: its task id. */
    String listedWithContact(String run, String store, String member) {
        publish(run, store, member, "+86 139-1234-5678", " M-" + run + " ");
        String task = listed(run, store, member, "139****5678");
        given().get("/stores/{s}/call-list", store).then().body("tasks[0].memberNo", equalTo("M-" + run));
        return task;
    }

    private void publish(String run, String store, String member, String phone, String memberNo) {
        try (KafkaCompanion kafka = ChurnEvents.companion(bootstrapServers)) {
            MemberEvents.register(kafka);
            MemberEvents.publish(kafka, List.of(io.memberpulse.proto.identity.v1.MemberEvent.newBuilder().setMemberId(member)
                    .setEvent(ChannelEvent.newBuilder().setEventId("v-" + run).setSource(Source.SOURCE_POS)
                            .setType(EventType.EVENT_TYPE_VISIT).setStoreId(store).setOccurredAt(MemberEvents.timestamp(T1))
                            .setIdentifiers(Identifiers.newBuilder().setPhone(phone).setMemberNo(memberNo))).build()));
        }
    }

    private String listed(String run, String store, String member, String maskedPhone) {
        List<ChurnScored> scores = new ArrayList<>();
        scores.add(scored(member, store, 0.9, 300, T1));
        for (int i = 2; i <= 10; i++) {
            scores.add(scored("m-" + run + "-" + i, store, 0.1, 100, T1));
        }
        try (KafkaCompanion kafka = ChurnEvents.companion(bootstrapServers)) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                ChurnEvents.publish(kafka, scores);
                given().get("/stores/{s}/call-list", store).then().statusCode(200)
                        .body("tasks[0].memberId", equalTo(member)).body("tasks[0].maskedPhone", equalTo(maskedPhone));
            });
        }
        return given().get("/stores/{s}/call-list", store).then().extract().jsonPath().getString("tasks[0].taskId");
    }

    /** "member caller" of each reveal recorded for the task. */
    private List<String> revealsOf(String task) {
        List<String> reveals = new ArrayList<>();
        for (Row row : database.preparedQuery("SELECT member_id, caller, revealed_at FROM contact_reveal WHERE task_id = $1 ORDER BY id")
                .execute(Tuple.of(task)).await().indefinitely()) {
            assertThat(row.getOffsetDateTime(2)).isNotNull();
            reveals.add(row.getString(0) + " " + row.getString(1));
        }
        return reveals;
    }

    private static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token);
    }
}
