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
import java.time.Duration;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A stored refund of an erased member's order is not published again when a later line of that order is written
 * (which republishes the stored events naming an order with a flagged line, with counted_order): it would go out
 * scrubbed under the erased id, a publication after the erasure under it.
 */
@QuarkusTest
class ErasedMemberOrderRepublishTest {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    static void postCsv(String header, String rows, int accepted) {
        given().contentType("text/csv").body(header + rows).post("/events/csv").then().statusCode(200)
                .body("accepted", equalTo(accepted));
    }

    @Test
    void aLaterLineOfAnErasedMembersFlaggedOrderRepublishesNothingOfTheirs() throws InterruptedException {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String header = "event_id,source,type,occurred_at,store_id,member_no,order_id,sku,quantity,paid_amount\n";
        String refund = "event_id,source,type,occurred_at,store_id,member_no,order_id,refund_amount\n";
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
            ConsumerTask<String, MemberEvent> published = kafka.consume(String.class, MemberEvent.class)
                    .fromTopics(Topics.MEMBER_EVENTS);
            // the delivery platform's order, then the till's copy of it (flagged), refunded at the till
            postCsv(header.replace(",member_no,", ",platform_uid,"), """
                    dx1-%1$s,delivery,order,2025-10-05T19:23:10+08:00,sx-%1$s,DX-%1$s,MX-%1$s,6901,1,100.11
                    dx2-%1$s,delivery,order,2025-10-05T19:23:10+08:00,sx-%1$s,DX-%1$s,MX-%1$s,6902,6,137.40
                    """.formatted(run), 2);
            postCsv(header, """
                    tx1-%1$s,pos,order,2025-10-05T19:30:28+08:00,sx-%1$s,TX-%1$s,SX-%1$s,6901,1,100.11
                    tx2-%1$s,pos,order,2025-10-05T19:30:28+08:00,sx-%1$s,TX-%1$s,SX-%1$s,6902,6,137.40
                    """.formatted(run), 2);
            postCsv(refund, "rx-%1$s,pos,refund,2025-10-06T10:00:00+08:00,sx-%1$s,TX-%1$s,SX-%1$s,100.11\n"
                    .formatted(run), 1);
            String erased = given().spec(identifiers("member_no", "TX-" + run)).post("/members/resolve").then()
                    .statusCode(200).extract().path("memberId");
            given().header("Authorization", "Bearer " + AuthTestResource.withRoles(Roles.STEWARD))
                    .contentType(ContentType.JSON).body("{\"reference\": \"DSR-" + run + "\"}")
                    .post("/members/" + erased + "/erasure").then().statusCode(200);

            // a line of the till's order the delivery order did not hold: the stored events naming it come up again
            postCsv(header, "tx3-%1$s,pos,order,2025-10-05T19:30:28+08:00,sx-%1$s,TX-%1$s,SX-%1$s,6999,1,0.50\n"
                    .formatted(run), 1);

            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> published.getRecords().stream()
                    .anyMatch(r -> r.value().getEvent().getEventId().equals("tx3-" + run)));
            Thread.sleep(2_000); // tx3's batch went out in one send: a republished refund has arrived by now
            published.stop();
            assertThat(published.getRecords()).filteredOn(r -> r.value().getEvent().getEventId().equals("rx-" + run))
                    .as("the refund's publications: before the erasure only")
                    .extracting(r -> r.value().getMemberId() + " " + r.value().getEvent().getIdentifiers().getMemberNo())
                    .containsExactly(erased + " TX-" + run);
            assertThat(published.getRecords()).filteredOn(r -> r.value().getEvent().getEventId().equals("tx3-" + run))
                    .extracting(r -> r.value().getMemberId()).doesNotContain(erased);
        }
    }
}
