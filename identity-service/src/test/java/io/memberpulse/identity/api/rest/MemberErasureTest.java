package io.memberpulse.identity.api.rest;

import static io.memberpulse.identity.ResolveBodies.identifiers;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.emptyOrNullString;

import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.identity.MemberMergesRecords;
import io.memberpulse.proto.auth.Roles;
import io.memberpulse.proto.identity.v1.MemberIdentityChange;
import io.memberpulse.proto.kafka.MemberIdentityChangeDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.proto.kafka.Topics;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A steward erases a member (PIPL Art. 47 / GDPR Art. 17): its identifiers, profile and texts leave every table of the
 * identity schema, MemberErased goes to member.merges with every id merged into the person, nothing resolves to it,
 * and the same events replayed are duplicates while a new one with the same phone is somebody new.
 */
@QuarkusTest
class MemberErasureTest {
    static final String STEWARD = AuthTestResource.withRoles(Roles.STEWARD);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    Pool pool;

    KafkaCompanion kafka;
    final String run = UUID.randomUUID().toString().substring(0, 8);
    final String phone = "139" + String.format("%08d", new Random().nextInt(100_000_000));
    final String unionId = "oUnionErase" + run + "Zq";
    final String email = "erase.me." + run + "@example.com";
    final String name = "Erasmus Tester" + run;
    final String address = "Wutong Estate " + run + " Building 25 Room 1105";
    final String review = "the latte was cold, ask for " + run + " next time";

    @BeforeEach
    void connect() {
        kafka = new KafkaCompanion(bootstrapServers);
        kafka.registerSerde(MemberIdentityChange.class, ProtobufSerdes.of(new MemberIdentityChangeDeserializer()));
    }

    @AfterEach
    void close() {
        kafka.close();
    }

    /** The mini-program member (UnionID, e-mail, name, address, review) and the till's (phone), joined by an order. */
    String csv() {
        return """
                event_id,source,type,occurred_at,store_id,phone,union_id,email,name,address,order_id,sku,quantity,paid_amount,rating,review_text
                er1-%1$s,miniapp,visit,2025-03-01T10:00:00+08:00,s-er,,%3$s,%4$s,%5$s,%6$s,,,,,,
                er2-%1$s,pos,visit,2025-03-02T10:00:00+08:00,s-er,%2$s,,,,,,,,,,
                er3-%1$s,miniapp,order,2025-03-03T10:00:00+08:00,s-er,%2$s,%3$s,,,,o-%1$s,latte,1,28.00,,
                er4-%1$s,miniapp,review,2025-03-04T10:00:00+08:00,s-er,,%3$s,,,,o-%1$s,,,,2,"%7$s"
                """.formatted(run, phone, unionId, email, name, address, review);
    }

    String resolve(String field, String value) {
        return given().spec(identifiers(field, value)).post("/members/resolve").then().statusCode(200)
                .extract().path("memberId");
    }

    static io.restassured.specification.RequestSpecification steward() {
        return given().header("Authorization", "Bearer " + STEWARD);
    }

    @Test
    void aStewardErasesAMemberFromEveryTableAndTheNextVisitIsSomebodyNew() throws InterruptedException {
        ConsumerTask<String, MemberIdentityChange> changes = kafka.consume(String.class, MemberIdentityChange.class)
                .fromTopics(Topics.MEMBER_MERGES);
        // the first two rows make two members, the order joins them: one of them is absorbed
        given().contentType("text/csv").body(csv().lines().limit(3).reduce((a, b) -> a + "\n" + b).orElseThrow() + "\n")
                .post("/events/csv").then().statusCode(200).body("accepted", equalTo(2));
        String byUnion = resolve("union_id", unionId);
        String byPhone = resolve("phone", phone);
        assertThat(byUnion).isNotEqualTo(byPhone);
        given().contentType("text/csv").body(csv()).post("/events/csv").then().statusCode(200)
                .body("accepted", equalTo(2)).body("duplicates", equalTo(2));
        String person = resolve("phone", phone);
        assertThat(resolve("union_id", unionId)).isEqualTo(person);
        String absorbed = person.equals(byUnion) ? byPhone : byUnion;

        // (d) only a steward erases, with a reference that is a ticket number
        given().contentType(ContentType.JSON).body("{\"reference\": \"DSR-1\"}").post("/members/" + person + "/erasure")
                .then().statusCode(403);
        given().header("Authorization", "Bearer " + AuthTestResource.staff("s-er")).contentType(ContentType.JSON)
                .body("{\"reference\": \"DSR-1\"}").post("/members/" + person + "/erasure").then().statusCode(403);
        steward().contentType(ContentType.JSON).body("{}").post("/members/" + person + "/erasure")
                .then().statusCode(400).body("errors[0].field", equalTo("reference"));
        steward().contentType(ContentType.JSON).body("{\"reference\": \"DSR\\u0000\"}").post("/members/" + person + "/erasure")
                .then().statusCode(400).body("errors[0].field", equalTo("reference"));
        steward().contentType(ContentType.JSON).body("{\"reference\": \"" + "x".repeat(201) + "\"}")
                .post("/members/" + person + "/erasure").then().statusCode(400).body("errors[0].field", equalTo("reference"));
        steward().contentType(ContentType.JSON).body("{\"reference\": \"DSR-1\"}").post("/members/nobody-" + run + "/erasure")
                .then().statusCode(404);
        given().get("/members/" + person).then().statusCode(200); // nothing erased by the refusals

        // erasing the absorbed id erases the person it was merged into
        String erasureId = steward().contentType(ContentType.JSON).body("{\"reference\": \"DSR-2026-" + run + "\"}")
                .post("/members/" + absorbed + "/erasure").then().statusCode(200)
                .header("Cache-Control", "no-store")
                .body("memberId", equalTo(person))
                .body("absorbedMemberIds", containsInAnyOrder(absorbed))
                .body("reference", equalTo("DSR-2026-" + run))
                .body("requestedBy", equalTo("caller@memberpulse.test"))
                .body("erasedAt", not(emptyOrNullString()))
                .extract().path("erasureId");
        // asked again (under either id): the first record, nothing new
        steward().contentType(ContentType.JSON).body("{\"reference\": \"DSR-again\"}").post("/members/" + person + "/erasure")
                .then().statusCode(200).body("erasureId", equalTo(erasureId)).body("reference", equalTo("DSR-2026-" + run));
        steward().get("/erasures/" + erasureId).then().statusCode(200).header("Cache-Control", "no-store")
                .body("memberId", equalTo(person)).body("absorbedMemberIds", containsInAnyOrder(absorbed));
        given().get("/erasures/" + erasureId).then().statusCode(403);

        // (a) nothing resolves, nothing reads
        for (String[] identifier : List.of(new String[] {"phone", phone}, new String[] {"union_id", unionId},
                new String[] {"email", email})) {
            given().spec(identifiers(identifier[0], identifier[1])).post("/members/resolve").then().statusCode(404);
        }
        given().get("/members/" + person).then().statusCode(404);
        given().get("/members/" + absorbed).then().statusCode(404);
        given().get("/members/" + person + "/evidence").then().statusCode(404);
        assertThat(given().get("/identities/export").then().statusCode(200).extract().asString())
                .doesNotContain(person).doesNotContain(absorbed);

        // (b) no personal string anywhere in the identity schema
        for (String personal : List.of(phone, unionId, email, name, address, review, run + " Building")) {
            assertThat(tablesHolding(personal)).as("tables holding %s", personal).isEmpty();
        }

        // (c) MemberErased on member.merges, keyed by the person, naming the absorbed member too
        ConsumerRecord<String, MemberIdentityChange> erased = MemberMergesRecords.awaitChange(changes,
                r -> r.value().hasErased() && r.value().getErased().getMemberId().equals(person));
        assertThat(erased.key()).isEqualTo(person);
        assertThat(erased.value().getErased().getAbsorbedMemberIdsList()).containsExactly(absorbed);
        assertThat(erased.value().getErased().getErasureId()).isEqualTo(erasureId);
        changes.stop();
        assertThat(changes.getRecords().stream().filter(r -> r.value().hasErased()
                && r.value().getErased().getMemberId().equals(person)).count()).isEqualTo(1);

        // (e) the same file again: duplicates only, nobody resolved; a new visit with the phone is a new member
        given().contentType("text/csv").body(csv()).post("/events/csv").then().statusCode(200)
                .body("accepted", equalTo(0)).body("duplicates", equalTo(4));
        given().spec(identifiers("phone", phone)).post("/members/resolve").then().statusCode(404);
        given().contentType(ContentType.JSON).body("""
                {"event_id": "er5-%s", "source": "pos", "type": "visit", "occurred_at": "2025-04-01T10:00:00+08:00",
                 "store_id": "s-er", "phone": "%s"}""".formatted(run, phone)).post("/events").then().statusCode(200)
                .body("accepted", equalTo(1));
        String newcomer = resolve("phone", phone);
        assertThat(newcomer).isNotIn(person, absorbed);
        given().get("/members/" + newcomer).then().statusCode(200).body("eventCount", equalTo(1));
    }

    /** Every table.column of the identity schema whose text (bytea: UTF-8 bytes; arrays: as text) holds the value. */
    List<String> tablesHolding(String value) {
        List<String> holding = new ArrayList<>();
        var columns = pool.query("""
                SELECT table_name, column_name, data_type FROM information_schema.columns
                WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying', 'bytea', 'jsonb',
                  'json', 'ARRAY', 'character')
                  AND table_name IN (SELECT table_name FROM information_schema.tables
                                     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE')""")
                .execute().await().indefinitely();
        assertThat(columns.size()).isGreaterThan(10);
        for (Row column : columns) {
            String table = column.getString(0);
            String name = column.getString(1);
            String condition = column.getString(2).equals("bytea")
                    ? "position(convert_to($1, 'UTF8') in \"" + name + "\") > 0"
                    : "strpos(\"" + name + "\"::text, $1) > 0";
            long found = pool.preparedQuery("SELECT count(*) FROM \"" + table + "\" WHERE " + condition)
                    .execute(Tuple.of(value)).await().indefinitely().iterator().next().getLong(0);
            if (found > 0) {
                holding.add(table + "." + name);
            }
        }
        return holding;
    }
}
