package io.memberpulse.identity.api.rest;

import static io.memberpulse.identity.ResolveBodies.identifiers;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.memberpulse.identity.MemberMergesRecords;

import io.memberpulse.proto.identity.v1.MemberIdentityChange;
import io.memberpulse.proto.kafka.MemberIdentityChangeDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.proto.kafka.Topics;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Merges with evidence, member.merges, split and its negative evidence, through the REST API on real infrastructure. */
@QuarkusTest
class MergeEvidenceResourceTest {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    KafkaCompanion kafka;
    final String run = UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void connect() {
        kafka = new KafkaCompanion(bootstrapServers);
        kafka.registerSerde(MemberIdentityChange.class, ProtobufSerdes.of(new MemberIdentityChangeDeserializer()));
    }

    @AfterEach
    void close() {
        kafka.close();
    }

    static String event(String eventId, String source, String at, String memberNo, String openid) {
        return """
                {"event_id": "%s", "source": "%s", "type": "visit", "occurred_at": "%s", "store_id": "s-009",
                 "member_no": "%s", "openid": "%s"}""".formatted(eventId, source, at, memberNo, openid);
    }

    static void post(String json) {
        given().contentType(ContentType.JSON).body(json).post("/events").then().statusCode(200).body("accepted", equalTo(1));
    }

    static String resolve(String param, String value) {
        return given().spec(identifiers(param, value)).post("/members/resolve").then().statusCode(200).extract().path("memberId");
    }

    @Test
    void anEventBridgingTwoMembersMergesThemWithEvidenceAndASplitUndoesItForGood() throws InterruptedException {
        String memberNo = "MN-" + run;
        String openid = "OP-" + run;
        ConsumerTask<String, MemberIdentityChange> changes = kafka.consume(String.class, MemberIdentityChange.class)
                .fromTopics(Topics.MEMBER_MERGES);
        post(event("a-" + run, "pos", "2025-03-01T10:00:00+08:00", memberNo, ""));
        post(event("b-" + run, "miniapp", "2025-03-02T10:00:00+08:00", "", openid));
        String byCard = resolve("member_no", memberNo);
        String byOpenid = resolve("openid", openid);
        assertThat(byCard).isNotEqualTo(byOpenid);

        post(event("c-" + run, "pos", "2025-03-03T10:00:00+08:00", memberNo, openid));
        String survivor = resolve("member_no", memberNo);
        assertThat(resolve("openid", openid)).isEqualTo(survivor);
        String absorbed = survivor.equals(byCard) ? byOpenid : byCard;
        // nothing is deleted: the absorbed member answers with its survivor and every event counts
        given().get("/members/" + absorbed).then().statusCode(200)
                .body("memberId", equalTo(survivor)).body("eventCount", equalTo(3));
        given().get("/members/" + survivor + "/evidence").then().statusCode(200)
                .body("memberId", equalTo(survivor))
                .body("merges", hasSize(1))
                .body("merges[0].absorbedMemberId", equalTo(absorbed))
                .body("merges[0].rule", equalTo("openid"))
                .body("merges[0].score", equalTo(1.0f))
                .body("merges[0].eventKey", equalTo("pos:c-" + run))
                .body("merges[0].identifiers", hasItem("openid:O****" + run.substring(7))) // masked, as for any analyst
                .body("merges[0].mergedAt", notNullValue())
                .body("merges[0].undoneBySplit", nullValue());
        ConsumerRecord<String, MemberIdentityChange> merged = MemberMergesRecords.awaitChange(changes, r -> r.value().hasMerged()
                && r.value().getMerged().getAbsorbedMemberId().equals(absorbed));
        assertThat(merged.key()).isEqualTo(absorbed);
        assertThat(merged.value().getMerged().getSurvivingMemberId()).isEqualTo(survivor);
        assertThat(merged.value().getMerged().getRule()).isEqualTo("openid");
        assertThat(merged.value().getMerged().getEvidenceId()).isNotBlank();

        String part = given().contentType(ContentType.JSON)
                // the mini-program user also used the card once (event c): both events are theirs
                .body("{\"parts\": [{\"eventKeys\": [\"miniapp:b-" + run + "\", \"pos:c-" + run
                        + "\"]}], \"reason\": \"two people\"}")
                .post("/members/" + survivor + "/split")
                .then().statusCode(200)
                .body("originalMemberId", equalTo(survivor))
                .body("parts[0].eventKeys", equalTo(List.of("miniapp:b-" + run, "pos:c-" + run)))
                .extract().path("parts[0].memberId");
        assertThat(resolve("openid", openid)).isEqualTo(part);
        assertThat(resolve("member_no", memberNo)).isEqualTo(survivor);
        given().get("/members/" + part).then().body("eventCount", equalTo(2));
        given().get("/members/" + survivor).then().body("eventCount", equalTo(1));
        ConsumerRecord<String, MemberIdentityChange> split = MemberMergesRecords.awaitChange(changes, r -> r.value().hasSplit()
                && r.value().getSplit().getOriginalMemberId().equals(survivor));
        assertThat(split.key()).isEqualTo(survivor);
        assertThat(split.value().getSplit().getParts(0).getMemberId()).isEqualTo(part);
        assertThat(split.value().getSplit().getReason()).isEqualTo("two people");
        changes.stop();

        // the same evidence again: the split is negative evidence, nobody is merged
        post(event("d-" + run, "pos", "2025-03-04T10:00:00+08:00", memberNo, openid));
        assertThat(resolve("openid", openid)).isEqualTo(part);
        given().get("/members/" + survivor + "/evidence").then()
                .body("merges", hasSize(1)).body("merges[0].undoneBySplit", notNullValue());
        given().get("/members/" + part + "/evidence").then().body("merges", hasSize(0));
    }

    @Test
    void aSplitNamesWhatIsWrongWithIt() {
        String memberNo = "MS-" + run;
        post(event("s1-" + run, "pos", "2025-04-01T10:00:00+08:00", memberNo, ""));
        post(event("s2-" + run, "pos", "2025-04-02T10:00:00+08:00", memberNo, ""));
        String member = resolve("member_no", memberNo);
        given().contentType(ContentType.JSON).body("{\"parts\": [{\"eventKeys\": [\"pos:nope\"]}], \"reason\": \"x\"}")
                .post("/members/" + member + "/split").then().statusCode(400)
                .body("errors[0].field", equalTo("parts[0].eventKeys[0]")) // as the body spells it
                .body("detail", startsWith("parts[0].eventKeys[0]: event pos:nope"));
        given().contentType(ContentType.JSON).body("{\"parts\": [{\"eventKeys\": \"pos:x\"}], \"reason\": \"x\"}")
                .post("/members/" + member + "/split").then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("parts[0].eventKeys")).body("errors[0].reason", equalTo("must be an array"));
        given().contentType(ContentType.JSON).body("{\"reason\": \"x\"}") // eventKeys, as the body spells it
                .post("/members/" + member + "/split").then().statusCode(400).body("errors[0].field", equalTo("parts"))
                .body("errors[0].reason", equalTo("give the parts to split off, each with its eventKeys"));
        given().contentType(ContentType.JSON).body("{\"parts\": [")
                .post("/members/" + member + "/split").then().statusCode(400).body("errors[0].field", equalTo("body"));
        given().contentType(ContentType.JSON)
                .body("{\"parts\": [{\"eventKeys\": [\"pos:s1-" + run + "\", \"pos:s2-" + run + "\"]}], \"reason\": \"x\"}")
                .post("/members/" + member + "/split").then().statusCode(400).body("errors[0].field", equalTo("parts"));
        given().contentType(ContentType.JSON).body("{\"parts\": [{\"eventKeys\": [\"pos:s1-" + run + "\"]}]}")
                .post("/members/" + member + "/split").then().statusCode(400).body("errors[0].field", equalTo("reason"));
        given().contentType(ContentType.JSON).body("{\"parts\": [{\"eventKeys\": [\"pos:s1-" + run + "\"]}], \"reason\": \"x\"}")
                .post("/members/no-such-member/split").then().statusCode(404);
        given().get("/members/no-such-member/evidence").then().statusCode(404);
    }

    @Test
    void aRejectedRowNeverCausesAMerge() {
        String memberNo = "MR-" + run;
        String openid = "OR-" + run;
        post(event("r1-" + run, "pos", "2025-05-01T10:00:00+08:00", memberNo, ""));
        post(event("r2-" + run, "miniapp", "2025-05-02T10:00:00+08:00", "", openid));
        String csv = """
                event_id,source,type,occurred_at,store_id,member_no,openid,phone,email
                r3-%1$s,pos,visit,not-a-date,s-009,%2$s,%3$s,,
                r4-%1$s,pos,visit,2025-05-03T10:00:00+08:00,s-009,%2$s,%3$s,12,
                r5-%1$s,pos,visit,2025-05-03T10:00:00+08:00,s-009,%2$s,%3$s,,not-an-email
                """.formatted(run, memberNo, openid);
        given().contentType("text/csv").body(csv).post("/events/csv").then().statusCode(200)
                .body("accepted", equalTo(0)).body("rejected", equalTo(3));
        String byCard = resolve("member_no", memberNo);
        assertThat(resolve("openid", openid)).isNotEqualTo(byCard);
        given().get("/members/" + byCard + "/evidence").then().body("merges", hasSize(0));
        given().get("/members/" + byCard).then().body("eventCount", equalTo(1));
    }
}
