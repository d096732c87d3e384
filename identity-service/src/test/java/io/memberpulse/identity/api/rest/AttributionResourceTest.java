package io.memberpulse.identity.api.rest;

import static io.memberpulse.identity.ResolveBodies.identifiers;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AttributionResourceTest {
    @Inject
    Pool pool;

    @Test
    void anOrderIsCreditedToItsMembersEarlierTouchesEvenAcrossAMergeAndCountedOnce() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String campaign = "CMP-" + run;
        String store = "s-att-" + run;
        String events = """
                [{"event_id": "r-%1$s", "source": "crm", "type": "register", "occurred_at": "2025-03-09T10:00:00+08:00",
                  "member_no": "MA-%1$s"},
                 {"event_id": "c-%1$s", "source": "miniapp", "type": "coupon_issued", "occurred_at": "2025-03-07T10:00:00+08:00",
                  "member_no": "MB-%1$s", "coupon_id": "CP-%1$s", "campaign_id": "%2$s", "coupon_value": 5},
                 {"event_id": "old-%1$s", "source": "app", "type": "visit", "occurred_at": "2025-03-01T10:00:00+08:00",
                  "store_id": "%3$s", "member_no": "MA-%1$s"},
                 {"event_id": "v-%1$s", "source": "app", "type": "visit", "occurred_at": "2025-03-10T08:00:00+08:00",
                  "store_id": "%3$s", "member_no": "MA-%1$s"},
                 {"event_id": "l1-%1$s", "source": "delivery", "type": "order", "occurred_at": "2025-03-10T10:00:00+08:00",
                  "store_id": "%3$s", "member_no": "MA-%1$s", "order_id": "O-%1$s", "sku": "a", "quantity": 1, "paid_amount": 30},
                 {"event_id": "l2-%1$s", "source": "delivery", "type": "order", "occurred_at": "2025-03-10T10:00:00+08:00",
                  "store_id": "%3$s", "member_no": "MA-%1$s", "order_id": "O-%1$s", "sku": "b", "quantity": 2, "paid_amount": 50},
                 {"event_id": "p1-%1$s", "source": "pos", "type": "order", "occurred_at": "2025-03-10T10:12:00+08:00",
                  "store_id": "%3$s", "phone": "13800000000", "order_id": "T-%1$s", "sku": "a", "quantity": 1, "paid_amount": 30},
                 {"event_id": "p2-%1$s", "source": "pos", "type": "order", "occurred_at": "2025-03-10T10:12:00+08:00",
                  "store_id": "%3$s", "phone": "13800000000", "order_id": "T-%1$s", "sku": "b", "quantity": 2, "paid_amount": 50}]"""
                .formatted(run, campaign, store);
        given().contentType(ContentType.JSON).body(events).when().post("/events").then().statusCode(200)
                .body("accepted", equalTo(8));
        // the coupon's member was found to be the buyer: absorbed into the buyer's member
        String buyer = given().spec(identifiers("member_no", "MA-" + run)).post("/members/resolve").then().extract().path("memberId");
        String couponHolder = given().spec(identifiers("member_no", "MB-" + run)).post("/members/resolve").then().extract()
                .path("memberId");
        pool.preparedQuery("UPDATE member SET merged_into = $2 WHERE id = $1").execute(Tuple.of(couponHolder, buyer))
                .await().indefinitely();

        given().get("/orders/delivery/O-" + run + "/attribution").then().statusCode(200)
                .body("model", equalTo("last-touch")).body("memberId", equalTo(buyer))
                .body("amount", equalTo(80.0f)).body("lines", equalTo(2)).body("duplicateOf", nullValue())
                .body("credits", hasSize(1))
                .body("credits[0].kind", equalTo("visit")).body("credits[0].event", equalTo("app:v-" + run))
                .body("credits[0].amount", equalTo(80.0f));
        given().queryParam("model", "linear").get("/orders/delivery/O-" + run + "/attribution").then().statusCode(200)
                .body("credits", hasSize(2))
                .body("credits.find { it.kind == 'coupon_issued' }.campaignId", equalTo(campaign))
                .body("credits.find { it.kind == 'coupon_issued' }.weight", equalTo(0.5f))
                .body("credits.find { it.kind == 'coupon_issued' }.amount", equalTo(40.0f));
        // the till's repeat of the delivery order is not counted again
        given().get("/orders/pos/T-" + run + "/attribution").then().statusCode(200)
                .body("duplicateOf", anyOf(equalTo("delivery:l1-" + run), equalTo("delivery:l2-" + run))).body("credits", hasSize(0));
        // the source in any case, as the import takes it (404 for "POS" before)
        given().get("/orders/POS/T-" + run + "/attribution").then().statusCode(200)
                .body("source", equalTo("pos")).body("orderId", equalTo("T-" + run))
                .body("duplicateOf", anyOf(equalTo("delivery:l1-" + run), equalTo("delivery:l2-" + run)));

        given().queryParam("model", "linear").get("/attribution/campaigns").then().statusCode(200)
                .body("campaigns.find { it.campaignId == '" + campaign + "' }.orders", equalTo(0.5f))
                .body("campaigns.find { it.campaignId == '" + campaign + "' }.revenue", equalTo(40.0f));
        given().get("/attribution/campaigns").then().statusCode(200)
                .body("campaigns.find { it.campaignId == '" + campaign + "' }", nullValue());
    }

    /**
     * The campaign totals take each order as its channel's lines: summed, placed at its earliest line, one order per
     * source and order id. Coupon C at 10:00 the day before, coupon D at 10:15 between the till order's two lines
     * (12.50 at 10:00, 7.50 at 10:30), then a mini-app order under the same order id the next day (30.00): last touch
     * gives the till order (20.00, placed at 10:00) to C and the mini-app order to D. Taken per line, by order id
     * alone, or at the order's last line, the totals differ.
     */
    @Test
    void campaignTotalsCountEachChannelsOrderOnceWithItsLinesSummedAtItsFirstLine() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String events = """
                [{"event_id": "ci-%1$s", "source": "miniapp", "type": "coupon_issued", "occurred_at": "2025-04-01T10:00:00+08:00",
                  "member_no": "MC-%1$s", "coupon_id": "CPC-%1$s", "campaign_id": "C-%1$s", "coupon_value": 5},
                 {"event_id": "di-%1$s", "source": "miniapp", "type": "coupon_issued", "occurred_at": "2025-04-02T10:15:00+08:00",
                  "member_no": "MC-%1$s", "coupon_id": "CPD-%1$s", "campaign_id": "D-%1$s", "coupon_value": 5},
                 {"event_id": "ta-%1$s", "source": "pos", "type": "order", "occurred_at": "2025-04-02T10:00:00+08:00",
                  "store_id": "s-ca-%1$s", "member_no": "MC-%1$s", "order_id": "O-%1$s", "sku": "a", "quantity": 1, "paid_amount": 12.5},
                 {"event_id": "tb-%1$s", "source": "pos", "type": "order", "occurred_at": "2025-04-02T10:30:00+08:00",
                  "store_id": "s-ca-%1$s", "member_no": "MC-%1$s", "order_id": "O-%1$s", "sku": "b", "quantity": 1, "paid_amount": 7.5},
                 {"event_id": "ma-%1$s", "source": "miniapp", "type": "order", "occurred_at": "2025-04-03T10:00:00+08:00",
                  "store_id": "s-cm-%1$s", "member_no": "MC-%1$s", "order_id": "O-%1$s", "sku": "c", "quantity": 2, "paid_amount": 30}]"""
                .formatted(run);
        given().contentType(ContentType.JSON).body(events).when().post("/events").then().statusCode(200)
                .body("accepted", equalTo(5));

        given().get("/attribution/campaigns").then().statusCode(200)
                .body("campaigns.find { it.campaignId == 'C-" + run + "' }.orders", equalTo(1.0f))
                .body("campaigns.find { it.campaignId == 'C-" + run + "' }.revenue", equalTo(20.0f))
                .body("campaigns.find { it.campaignId == 'D-" + run + "' }.orders", equalTo(1.0f))
                .body("campaigns.find { it.campaignId == 'D-" + run + "' }.revenue", equalTo(30.0f));
        // linear: the till order has C alone before it; the mini-app order shares between C and D
        given().queryParam("model", "linear").get("/attribution/campaigns").then().statusCode(200)
                .body("campaigns.find { it.campaignId == 'C-" + run + "' }.orders", equalTo(1.5f))
                .body("campaigns.find { it.campaignId == 'C-" + run + "' }.revenue", equalTo(35.0f))
                .body("campaigns.find { it.campaignId == 'D-" + run + "' }.orders", equalTo(0.5f))
                .body("campaigns.find { it.campaignId == 'D-" + run + "' }.revenue", equalTo(15.0f));
    }

    @Test
    void anUnknownModelOrOrderIsRefused() {
        given().queryParam("model", "first-touch").get("/attribution/campaigns").then().statusCode(400)
                .body("errors[0].field", equalTo("model"));
        given().get("/orders/pos/no-such-order/attribution").then().statusCode(404).contentType("application/problem+json")
                .body("detail", equalTo("no order no-such-order from pos"));
        given().get("/orders/till/o1/attribution").then().statusCode(400).body("errors[0].field", equalTo("source"))
                .body("errors[0].reason", equalTo("unknown source 'till' (pos, miniapp, app, delivery, ecommerce, crm, other)"));
    }
}
