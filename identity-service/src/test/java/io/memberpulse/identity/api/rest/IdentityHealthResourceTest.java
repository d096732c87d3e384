package io.memberpulse.identity.api.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import io.quarkus.test.junit.QuarkusTest;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class IdentityHealthResourceTest {

    @Test
    void aStoresFourRatesCountIdentifiedMembersMatchedOrdersAndOnlineDevices() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String csv = """
                event_id,source,type,occurred_at,store_id,phone,member_no,device_id,order_id,quantity,paid_amount
                h1-%1$s,pos,order,2025-03-01T10:00:00+08:00,h-%1$s,,HM-%1$s,,o1-%1$s,1,10.00
                h2-%1$s,miniapp,visit,2025-03-05T10:00:00+08:00,h-%1$s,,HM-%1$s,dev1-%1$s,,,
                h3-%1$s,pos,order,2025-03-02T10:00:00+08:00,h-%1$s,13800000000,,,o2-%1$s,1,5.00
                h4-%1$s,app,visit,2025-03-01T09:00:00+08:00,h-%1$s,,,dev2-%1$s,,,
                """.formatted(run);
        given().contentType("text/csv").body(csv).post("/events/csv").then().statusCode(200).body("accepted", equalTo(4));

        var health = given().queryParam("store", "h-" + run).get("/health/identity").then().statusCode(200)
                .body("store", equalTo("h-" + run))
                .body("counts.members", equalTo(3))
                .body("counts.multiChannelMembers", equalTo(1))
                .body("counts.identifiedMembers", equalTo(1))
                .body("counts.orderLines", equalTo(2))
                .body("counts.matchedOrderLines", equalTo(1))
                .body("counts.devices", equalTo(2))
                .body("counts.devicesOnline", equalTo(1))
                .extract().jsonPath();
        assertThat(health.getDouble("channelCoverageRate.value")).isCloseTo(1.0 / 3, within(1e-6));
        assertThat(health.getDouble("memberIdentificationRate.value")).isCloseTo(1.0 / 3, within(1e-6));
        assertThat(health.getDouble("orderMatchRate.value")).isCloseTo(0.5, within(1e-6));
        assertThat(health.getDouble("deviceOnlineRate.value")).isCloseTo(0.5, within(1e-6));
        assertThat(health.getDouble("memberIdentificationRate.industryLow")).isCloseTo(0.55, within(1e-6));
        given().get("/health/identity").then().statusCode(200).body("store", equalTo("all"))
                .body("counts.members", greaterThanOrEqualTo(3));
        given().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("memberpulse_identity_health{"));
        assertThat(health.getString("memberIdentificationRate.industryPosition")).isEqualTo("below");

        // every store in one answer, counted as the single-store answer counts; it refreshes the store gauges
        var stores = given().get("/health/identity/stores").then().statusCode(200).extract().jsonPath();
        String store = "find { it.store == 'h-" + run + "' }";
        assertThat(stores.getInt(store + ".counts.members")).isEqualTo(3);
        assertThat(stores.getInt(store + ".counts.identifiedMembers")).isEqualTo(1);
        assertThat(stores.getInt(store + ".counts.matchedOrderLines")).isEqualTo(1);
        assertThat(stores.getInt(store + ".counts.devicesOnline")).isEqualTo(1);
        assertThat(stores.getDouble(store + ".orderMatchRate.value")).isCloseTo(0.5, within(1e-6));
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics.lines().filter(line -> line.startsWith("memberpulse_identity_store_health{")
                && line.contains("store=\"h-" + run + "\"") && line.contains("rate=\"order_match\"")))
                .singleElement().satisfies(line -> assertThat(line).endsWith(" 0.5"));
    }

    @Test
    void aMemberWhosePhoneWasQuarantinedSinceIsNoLongerIdentified() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String phone = "137" + String.format("%08d", new java.util.Random().nextInt(100_000_000));
        String header = "event_id,source,type,occurred_at,store_id,phone,order_id,quantity,paid_amount\n";
        given().contentType("text/csv").body(header + "qh0-%1$s,pos,order,2025-03-01T10:00:00+08:00,qh-%1$s,%2$s,qo-%1$s,1,9.00\n"
                .formatted(run, phone)).post("/events/csv").then().statusCode(200).body("accepted", equalTo(1));
        given().queryParam("store", "qh-" + run).get("/health/identity").then().statusCode(200)
                .body("counts.identifiedMembers", equalTo(1)).body("counts.matchedOrderLines", equalTo(1));

        // the same phone typed at 12 more stores: a walk-in placeholder, quarantined after it was linked
        StringBuilder walkIns = new StringBuilder(header);
        for (int i = 1; i <= 12; i++) {
            walkIns.append("qh%1$d-%2$s,pos,visit,2025-03-02T10:00:00+08:00,qh%1$d-%2$s,%3$s,,,\n".formatted(i, run, phone));
        }
        given().contentType("text/csv").body(walkIns.toString()).post("/events/csv").then().statusCode(200)
                .body("accepted", equalTo(12));
        given().queryParam("store", "qh-" + run).get("/health/identity").then().statusCode(200)
                .body("counts.members", equalTo(1))
                .body("counts.identifiedMembers", equalTo(0)).body("counts.matchedOrderLines", equalTo(0));
        var stores = given().get("/health/identity/stores").then().statusCode(200).extract().jsonPath();
        assertThat(stores.getInt("find { it.store == 'qh-" + run + "' }.counts.identifiedMembers")).isZero();
    }
}
