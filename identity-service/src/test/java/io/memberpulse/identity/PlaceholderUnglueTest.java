package io.memberpulse.identity;

import static io.memberpulse.identity.ResolveBodies.identifiers;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.memberpulse.proto.identity.v1.MemberIdentityChange;
import io.memberpulse.proto.kafka.MemberIdentityChangeDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.proto.kafka.Topics;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Two guests glued into one member by a walk-in phone before it was known to be one; the guests after them make it a
 * placeholder (max-identities-per-value 8), and the import that found it splits the member it glued: the two guests
 * are two members again, and MemberSplit tells member.merges.
 */
@QuarkusTest
class PlaceholderUnglueTest {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    Pool pool;

    @Test
    void guestsAWalkInPhoneGluedBeforeItWasQuarantinedComeApart() throws InterruptedException {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String phone = "136" + String.format("%08d", new Random().nextInt(100_000_000));
        KafkaCompanion kafka = new KafkaCompanion(bootstrapServers);
        try {
            kafka.registerSerde(MemberIdentityChange.class, ProtobufSerdes.of(new MemberIdentityChangeDeserializer()));
            ConsumerTask<String, MemberIdentityChange> changes = kafka.consume(String.class, MemberIdentityChange.class)
                    .fromTopics(Topics.MEMBER_MERGES);

            given().contentType("text/csv").body(PlaceholderAcrossRequestsTest.HEADER
                            + PlaceholderAcrossRequestsTest.guest(run, phone, 0) + PlaceholderAcrossRequestsTest.guest(run, phone, 1))
                    .post("/events/csv").then().statusCode(200).body("accepted", equalTo(2));
            String glued = resolve(run, 0);
            assertThat(resolve(run, 1)).as("glued by the phone").isEqualTo(glued);

            StringBuilder guests = new StringBuilder(PlaceholderAcrossRequestsTest.HEADER);
            for (int i = 2; i <= 9; i++) {
                guests.append(PlaceholderAcrossRequestsTest.guest(run, phone, i));
            }
            given().contentType("text/csv").body(guests.toString()).post("/events/csv").then().statusCode(200)
                    .body("accepted", equalTo(8));

            // answered once the member is split: guest 0 keeps it, guest 1 is a member of its own
            assertThat(resolve(run, 0)).isEqualTo(glued);
            String apart = resolve(run, 1);
            assertThat(apart).isNotEqualTo(glued);
            ConsumerRecord<String, MemberIdentityChange> split = MemberMergesRecords.awaitChange(changes,
                    r -> r.value().hasSplit() && r.value().getSplit().getOriginalMemberId().equals(glued));
            assertThat(split.key()).isEqualTo(glued);
            assertThat(split.value().getSplit().getPartsList()).hasSize(1);
            assertThat(split.value().getSplit().getParts(0).getMemberId()).isEqualTo(apart);
            assertThat(split.value().getSplit().getParts(0).getEventKeysList()).containsExactly("pos:w1-" + run);
            assertThat(split.value().getSplit().getReason()).contains("phone:+86" + phone);
            assertThat(pool.preparedQuery("SELECT unglued_at IS NOT NULL FROM quarantined_identifier WHERE type = 'phone'"
                    + " AND value = $1").execute(Tuple.of("+86" + phone)).await().indefinitely().iterator().next()
                    .getBoolean(0)).as("marked unglued").isTrue();
            // no negative evidence: the placeholder says nothing about whether its guests are one person
            assertThat(pool.preparedQuery("SELECT count(*) FROM member_cannot_link WHERE member_a = $1 OR member_b = $1")
                    .execute(Tuple.of(apart)).await().indefinitely().iterator().next().getLong(0)).isZero();

            // the graph knows it: guest 1's card alone finds its own member
            given().contentType("text/csv").body(PlaceholderAcrossRequestsTest.HEADER
                            + "w1b-%s,pos,visit,2025-04-02T10:00:00+08:00,s-w-%s,,G1-%s\n".formatted(run, run, run))
                    .post("/events/csv").then().statusCode(200).body("accepted", equalTo(1));
            assertThat(resolve(run, 1)).isEqualTo(apart);
        } finally {
            kafka.close();
        }
    }

    @Inject
    PlaceholderUnglueJob job;

    @Inject
    StitchingGraph graphs;

    /** A crash after the commit of the batch that quarantined the value, before the split: the job takes it up. */
    @Test
    void aValueLeftToUnglueIsTakenUpByTheJob() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String phone = "137" + String.format("%08d", new Random().nextInt(100_000_000));
        given().contentType("text/csv").body(PlaceholderAcrossRequestsTest.HEADER
                        + PlaceholderAcrossRequestsTest.guest(run, phone, 0) + PlaceholderAcrossRequestsTest.guest(run, phone, 1))
                .post("/events/csv").then().statusCode(200).body("accepted", equalTo(2));
        String glued = resolve(run, 0);
        assertThat(resolve(run, 1)).isEqualTo(glued);
        // what the batch's transaction wrote; the process died before the split
        pool.preparedQuery("INSERT INTO quarantined_identifier (type, value, quarantined_at) VALUES ('phone', $1, now())")
                .execute(Tuple.of("+86" + phone)).await().indefinitely();
        graphs.invalidate(); // the restarted process reads the graph from the database

        job.unglueLeftOver();

        assertThat(resolve(run, 0)).isEqualTo(glued);
        assertThat(resolve(run, 1)).isNotEqualTo(glued);
        job.unglueLeftOver(); // done once: nothing left
        assertThat(resolve(run, 0)).isEqualTo(glued);
    }

    static String resolve(String run, int guest) {
        return given().spec(identifiers("member_no", "G%d-%s".formatted(guest, run))).post("/members/resolve").then()
                .statusCode(200).extract().path("memberId");
    }
}
