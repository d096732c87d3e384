package io.memberpulse.identity;

import static io.memberpulse.identity.ResolveBodies.identifiers;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.proto.auth.Roles;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.kafka.MemberEventDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.proto.kafka.Topics;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * An erased member's events that Kafka never acknowledged (a broker outage before the erasure) are not published
 * again: the relay would send the scrubbed copies under the erased id, publishing after the erasure under it.
 */
@QuarkusTest
class ErasedMemberRelayTest {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    Pool pool;

    @Inject
    UnpublishedEventRelay relay;

    final String run = UUID.randomUUID().toString().substring(0, 8);

    static void post(String eventId, String memberNo) {
        given().contentType(ContentType.JSON).body("""
                {"event_id": "%s", "source": "pos", "type": "visit", "occurred_at": "2025-03-01T10:00:00+08:00",
                 "store_id": "s-ur", "member_no": "%s"}""".formatted(eventId, memberNo)).post("/events").then()
                .statusCode(200).body("accepted", equalTo(1));
    }

    @Test
    void anErasedMembersUnacknowledgedEventsAreNotRelayedAndTheOthersInTheirBatchAre() throws InterruptedException {
        post("ue1-" + run, "UE1-" + run);
        post("ue2-" + run, "UE2-" + run);
        String erased = given().spec(identifiers("member_no", "UE1-" + run)).post("/members/resolve").then()
                .statusCode(200).extract().path("memberId");
        given().header("Authorization", "Bearer " + AuthTestResource.withRoles(Roles.STEWARD))
                .contentType(ContentType.JSON).body("{\"reference\": \"DSR-" + run + "\"}")
                .post("/members/" + erased + "/erasure").then().statusCode(200);
        // as a broker outage would have left both: stored, listed as unacknowledged, accepted a while ago
        pool.preparedQuery("INSERT INTO unpublished_batch (accepted_at, sources, event_ids) VALUES ($1, $2, $3)")
                .execute(Tuple.of(OffsetDateTime.now().minusMinutes(10), new String[] {"pos", "pos"},
                        new String[] {"ue1-" + run, "ue2-" + run}))
                .await().indefinitely();
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
            ConsumerTask<String, MemberEvent> published = kafka.consume(String.class, MemberEvent.class)
                    .fromTopics(Topics.MEMBER_EVENTS);
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                relay.relay();
                assertThat(published(published, "ue2-" + run)).as("the import's and the relay's").hasSizeGreaterThanOrEqualTo(2);
            });
            assertThat(batchesNaming("ue1-" + run)).as("struck off").isZero();
            Thread.sleep(2_000); // the relayed copies went out in one send: any of the erased one's has arrived by now
            published.stop();
            List<MemberEvent> erasedOnes = published(published, "ue1-" + run);
            assertThat(erasedOnes).as("the import's publication only, before the erasure").hasSizeLessThanOrEqualTo(1);
            assertThat(erasedOnes).allSatisfy(e -> assertThat(e.getEvent().getIdentifiers().getMemberNo())
                    .isEqualTo("UE1-" + run));
        }
    }

    private static List<MemberEvent> published(ConsumerTask<String, MemberEvent> records, String eventId) {
        return records.getRecords().stream().map(r -> r.value()).filter(e -> e.getEvent().getEventId().equals(eventId))
                .toList();
    }

    private long batchesNaming(String eventId) {
        return pool.preparedQuery("SELECT count(*) FROM unpublished_batch WHERE $1 = ANY(event_ids)")
                .execute(Tuple.of(eventId)).await().indefinitely().iterator().next().getLong(0);
    }
}
