package io.memberpulse.identity.api.rest;

import static io.memberpulse.identity.ResolveBodies.identifiers;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ExportResourceTest {
    @Inject
    Pool pool;

    static String visitJson(String eventId, String memberNo) {
        return """
                {"event_id": "%s", "source": "miniapp", "type": "visit", "occurred_at": "2024-03-01T10:15:00+08:00",
                 "store_id": "s-exp", "member_no": "%s"}""".formatted(eventId, memberNo);
    }

    static String orderLineJson(String source, String eventId, String orderId, String at, String phone) {
        return """
                {"event_id": "%s", "source": "%s", "type": "order", "occurred_at": "%s", "store_id": "s-dup-%s",
                 "phone": "%s", "order_id": "%s", "sku": "6900000000017", "quantity": 2, "paid_amount": 19.8}"""
                .formatted(eventId, source, at, orderId, phone, orderId);
    }

    @Test
    void eventsOfAbsorbedMembersAreExportedUnderTheEndOfTheirMergeChain() {
        String run = UUID.randomUUID().toString();
        List<String> events = List.of("x1-" + run, "x2-" + run, "x3-" + run);
        List<String> members = events.stream().map(eventId -> {
            given().contentType(ContentType.JSON).body(visitJson(eventId, "MNO-" + eventId)).when().post("/events")
                    .then().statusCode(200).body("accepted", equalTo(1));
            return given().spec(identifiers("member_no", "MNO-" + eventId)).when().post("/members/resolve")
                    .then().statusCode(200).extract().<String>path("memberId");
        }).toList();
        // merges as the stitcher records them: x1's member absorbed by x2's, x2's by x3's (a chain)
        merge(members.get(0), members.get(1));
        merge(members.get(1), members.get(2));

        String csv = given().when().get("/identities/export").then().statusCode(200).extract().asString();
        assertThat(csv).startsWith("event_id,source,member_id\n");
        for (String eventId : events) {
            assertThat(rowOf(csv, eventId)).containsExactly(eventId, "miniapp", members.get(2));
        }
    }

    @Test
    void aDeliveryOrderRungUpAgainAtTheTillIsExportedAsOnePairFirstReportFirst() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        given().contentType(ContentType.JSON).body("[" + orderLineJson("delivery", "d-" + run, run,
                        "2024-03-01T10:15:00+08:00", "138****8000") + ","
                        + orderLineJson("pos", "p-" + run, run, "2024-03-01T10:24:00+08:00", "13800000000") + "]")
                .when().post("/events").then().statusCode(200).body("accepted", equalTo(2));

        String csv = given().when().get("/orders/duplicates/export").then().statusCode(200).extract().asString();
        assertThat(csv).startsWith("source_a,event_id_a,source_b,event_id_b\n");
        assertThat(rowOf(csv, "p-" + run)).containsExactly("delivery", "d-" + run, "pos", "p-" + run);
        assertThat(csv.lines().filter(line -> line.contains("d-" + run))).hasSize(1);
    }

    private void merge(String absorbed, String survivor) {
        pool.preparedQuery("UPDATE member SET merged_into = $2 WHERE id = $1")
                .execute(Tuple.of(absorbed, survivor)).await().indefinitely();
    }

    private static List<String> rowOf(String csv, String eventId) {
        return csv.lines().filter(line -> line.contains(eventId)).findFirst()
                .map(line -> Arrays.asList(line.split(","))).orElseThrow(() -> new AssertionError(eventId + " not exported"));
    }
}
