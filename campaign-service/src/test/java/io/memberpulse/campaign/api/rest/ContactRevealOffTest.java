package io.memberpulse.campaign.api.rest;

import static io.memberpulse.campaign.testdata.ChurnEvents.T1;
import static io.memberpulse.campaign.testdata.ChurnEvents.scored;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.memberpulse.campaign.testdata.ChurnEvents;
import io.memberpulse.campaign.testdata.MemberEvents;
import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.proto.campaign.v1.CampaignServiceGrpc;
import io.memberpulse.proto.campaign.v1.RevealContactRequest;
import io.memberpulse.proto.churn.v1.ChurnScored;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.Identifiers;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.Source;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * With memberpulse.campaign.contact-reveal.enabled=false the full phone is neither revealed (REST 403, gRPC
 * PERMISSION_DENIED, nothing recorded) nor stored for new members: only the masked one, which the call list shows.
 */
@QuarkusTest
@TestProfile(ContactRevealOffTest.RevealOff.class)
class ContactRevealOffTest {
    public static class RevealOff implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("memberpulse.campaign.contact-reveal.enabled", "false");
        }
    }

    static final String TURNED_OFF = "revealing members' phones is turned off in this deployment "
            + "(memberpulse.campaign.contact-reveal.enabled=false): dial from the member number or the masked phone";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    Pool database;

    @Test
    void thePhoneIsNeitherRevealedNorStoredOnlyTheMaskedOne() {
        String run = ChurnEvents.run();
        String store = "off-" + run;
        String member = "m-" + run + "-1";
        try (KafkaCompanion kafka = ChurnEvents.companion(bootstrapServers)) {
            MemberEvents.register(kafka);
            MemberEvents.publish(kafka, List.of(MemberEvent.newBuilder().setMemberId(member)
                    .setEvent(ChannelEvent.newBuilder().setEventId("v-" + run).setSource(Source.SOURCE_POS)
                            .setType(EventType.EVENT_TYPE_VISIT).setStoreId(store).setOccurredAt(MemberEvents.timestamp(T1))
                            .setIdentifiers(Identifiers.newBuilder().setPhone("+86 139-1234-5678"))).build()));
            List<ChurnScored> scores = new ArrayList<>();
            scores.add(scored(member, store, 0.9, 300, T1));
            for (int i = 2; i <= 10; i++) {
                scores.add(scored("m-" + run + "-" + i, store, 0.1, 100, T1));
            }
            // Awaited longer: this profile starts its own application, whose consumers may take a while to join.
            await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
                ChurnEvents.publish(kafka, scores);
                given().get("/stores/{s}/call-list", store).then().statusCode(200)
                        .body("tasks[0].memberId", equalTo(member)).body("tasks[0].maskedPhone", equalTo("139****5678"));
            });
        }
        String task = given().get("/stores/{s}/call-list", store).then().extract().jsonPath().getString("tasks[0].taskId");

        Row contact = database.preparedQuery("SELECT masked_phone, phone FROM member_contact WHERE member_id = $1")
                .execute(Tuple.of(member)).await().indefinitely().iterator().next();
        assertThat(contact.getString(0)).isEqualTo("139****5678");
        assertThat(contact.getString(1)).as("the full phone is not stored").isNull();

        given().header("Authorization", "Bearer " + AuthTestResource.staff(store)).post("/tasks/{id}/contact", task)
                .then().statusCode(403).contentType("application/problem+json").body("detail", equalTo(TURNED_OFF));
        var channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext()
                .intercept(AuthTestResource.as(AuthTestResource.analyst())).build();
        try {
            StatusRuntimeException refused = catchThrowableOfType(StatusRuntimeException.class,
                    () -> CampaignServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                            .revealContact(RevealContactRequest.newBuilder().setTaskId(task).build()));
            assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(refused.getStatus().getDescription()).isEqualTo(TURNED_OFF);
        } finally {
            channel.shutdownNow();
        }
        assertThat(database.preparedQuery("SELECT count(*) FROM contact_reveal WHERE task_id = $1").execute(Tuple.of(task))
                .await().indefinitely().iterator().next().getLong(0)).isZero();
    }
}
