package io.memberpulse.campaign.api.rest;

import static io.memberpulse.campaign.testdata.ChurnEvents.scored;
import static io.memberpulse.campaign.testdata.MemberEvents.coupon;
import static io.memberpulse.campaign.testdata.MemberEvents.orderLine;
import static io.memberpulse.campaign.testdata.MemberEvents.refund;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import io.grpc.ManagedChannelBuilder;
import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.campaign.testdata.ChurnEvents;
import io.memberpulse.campaign.testdata.MemberEvents;
import io.memberpulse.proto.campaign.v1.CampaignServiceGrpc;
import io.memberpulse.proto.campaign.v1.GetCallListRequest;
import io.memberpulse.proto.churn.v1.ChurnScored;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** Call-list entries carry talking points derived from member.events in campaign-service's own store. */
@QuarkusTest
class CallListTalkingPointsTest {
    /**
     * Event time is one clock for the whole service: no test publishes an event after this instant
     * (the others stay in 2024-2025, or just before it), so "as of" is this test's newest event.
     */
    static final Instant LAST_VISIT = Instant.parse("2031-06-30T10:00:00Z");

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    /** The member at risk (0.9) and nine others of the store at 0.1: the member is the store's call list. */
    static List<ChurnScored> oneAtRiskOfTen(String member, String run, String store) {
        List<ChurnScored> scores = new ArrayList<>();
        scores.add(scored(member, store, 0.9, 60, LAST_VISIT));
        for (int i = 2; i <= 10; i++) {
            scores.add(scored("m-" + run + "-" + i, store, 0.1, 100, LAST_VISIT));
        }
        return scores;
    }

    @Test
    void twoChannelsOrdersUnderTheSameOrderIdAreTwoOrders() {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        String member = "m-" + run + "-1";
        MemberEvent till = orderLine(member, run + "-t1", "1001-" + run, LAST_VISIT.minus(Duration.ofDays(30)), store,
                "y1", "dairy/yogurt", 1, 10);
        // the mini-program numbers its own orders: its 1001 is another order, the member's latest
        MemberEvent app = orderLine(member, run + "-a1", "1001-" + run, LAST_VISIT.minus(Duration.ofDays(10)), store,
                "b1", "bakery/bread", 1, 5);
        app = app.toBuilder().setEvent(app.getEvent().toBuilder()
                .setSource(io.memberpulse.proto.identity.v1.Source.SOURCE_MINIAPP)).build();
        List<ChurnScored> scores = oneAtRiskOfTen(member, run, store);
        try (KafkaCompanion kafka = ChurnEvents.companion(bootstrapServers)) {
            MemberEvents.register(kafka);
            MemberEvents.publish(kafka, List.of(till, app));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                ChurnEvents.publish(kafka, scores);
                given().get("/stores/{s}/call-list", store).then().statusCode(200)
                        .body("tasks[0].memberId", equalTo(member))
                        .body("tasks[0].insight.orders90d", equalTo(2))
                        .body("tasks[0].insight.lastPurchase.items.sku", equalTo(List.of("b1")));
            });
        }
    }

    /**
     * The last order, 3 days ago, went back in full: it is no purchase (as rfm-service's Orders.isPurchase), so the
     * card dates the last purchase by the order 30 days ago and counts one order, not "last purchase 3 days ago".
     */
    @Test
    void anOrderRefundedInFullIsNotTheLastPurchase() {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        String member = "m-" + run + "-1";
        List<MemberEvent> events = List.of(
                orderLine(member, run + "-e1", run + "-o1", LAST_VISIT.minus(Duration.ofDays(30)), store, "y1", "dairy/yogurt", 1, 20),
                orderLine(member, run + "-e2", run + "-o2", LAST_VISIT.minus(Duration.ofDays(3)), store, "w1", "wine", 1, 90),
                refund(member, run + "-e3", run + "-o2", LAST_VISIT.minus(Duration.ofDays(2)), store, 90),
                orderLine("someone-" + run, run + "-e4", run + "-o4", LAST_VISIT, store, "x", "snacks/chips", 1, 3));
        List<ChurnScored> scores = oneAtRiskOfTen(member, run, store);
        try (KafkaCompanion kafka = ChurnEvents.companion(bootstrapServers)) {
            MemberEvents.register(kafka);
            MemberEvents.publish(kafka, events);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                ChurnEvents.publish(kafka, scores);
                given().get("/stores/{s}/call-list", store).then().statusCode(200)
                        .body("tasks[0].memberId", equalTo(member))
                        .body("tasks[0].insight.recencyDays", equalTo(30))
                        .body("tasks[0].insight.orders90d", equalTo(1))
                        .body("tasks[0].insight.lastPurchase.items.sku", equalTo(List.of("y1")));
            });
        }
    }

    /**
     * The delivery order 3 days ago was rung up again at the till (identity-service flags the till's copy) and returned
     * there, the refund naming the till's order id: identity names the order counted instead (counted_order), and the
     * refund takes that one back. In two parts: one sent twice, one first without the counted order (its copy was
     * flagged only later) and again with it. The delivery order is no purchase, and each refund counts once.
     */
    @Test
    void aRefundAtTheTillOfACopyOfADeliveryOrderTakesBackTheCountedOrder() {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        String member = "m-" + run + "-1";
        MemberEvent delivery = orderLine(member, run + "-d1", run + "-D1", LAST_VISIT.minus(Duration.ofDays(3)), store,
                "w1", "wine", 1, 90);
        delivery = delivery.toBuilder().setEvent(delivery.getEvent().toBuilder()
                .setSource(io.memberpulse.proto.identity.v1.Source.SOURCE_DELIVERY)).build();
        MemberEvent copy = orderLine(member, run + "-t1", run + "-T9", LAST_VISIT.minus(Duration.ofDays(3)).plusSeconds(420),
                store, "w1", "wine", 1, 90).toBuilder().setDuplicateOrder(true).setNeverCounted(true).build();
        io.memberpulse.proto.identity.v1.OrderRef counted = io.memberpulse.proto.identity.v1.OrderRef.newBuilder()
                .setSource(io.memberpulse.proto.identity.v1.Source.SOURCE_DELIVERY).setOrderId(run + "-D1").build();
        MemberEvent part = refund(member, run + "-r1", run + "-T9", LAST_VISIT.minus(Duration.ofDays(2)), store, 40)
                .toBuilder().setCountedOrder(counted).build();
        MemberEvent rest = refund(member, run + "-r2", run + "-T9", LAST_VISIT.minus(Duration.ofDays(1)), store, 50);
        List<MemberEvent> events = List.of(
                orderLine(member, run + "-e1", run + "-o1", LAST_VISIT.minus(Duration.ofDays(30)), store, "y1", "dairy/yogurt", 1, 20),
                delivery, copy, part, part, rest, rest.toBuilder().setCountedOrder(counted).build(),
                orderLine("someone-" + run, run + "-e4", run + "-o4", LAST_VISIT, store, "x", "snacks/chips", 1, 3));
        List<ChurnScored> scores = oneAtRiskOfTen(member, run, store);
        try (KafkaCompanion kafka = ChurnEvents.companion(bootstrapServers)) {
            MemberEvents.register(kafka);
            MemberEvents.publish(kafka, events);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                ChurnEvents.publish(kafka, scores);
                given().get("/stores/{s}/call-list", store).then().statusCode(200)
                        .body("tasks[0].memberId", equalTo(member))
                        .body("tasks[0].insight.recencyDays", equalTo(30))
                        .body("tasks[0].insight.orders90d", equalTo(1))
                        .body("tasks[0].insight.netSpend90d", equalTo(20.0f))
                        .body("tasks[0].insight.lastPurchase.items.sku", equalTo(List.of("y1")));
            });
        }
    }

    /**
     * Last quarter's ¥1,000 order, returned in full 10 days ago, comes off that order: the card's 90-day net is the
     * ¥300 bought 20 days ago (as rfm's M90 and churn's 90-day spend), not -¥700.
     */
    @Test
    void aReturnOfAnOrderPlacedBeforeThe90DaysIsNotTakenOffThem() {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        String member = "m-" + run + "-1";
        List<MemberEvent> events = List.of(
                orderLine(member, run + "-e1", run + "-A", LAST_VISIT.minus(Duration.ofDays(100)), store, "w1", "wine", 1, 1000),
                refund(member, run + "-e2", run + "-A", LAST_VISIT.minus(Duration.ofDays(10)), store, 1000),
                orderLine(member, run + "-e3", run + "-B", LAST_VISIT.minus(Duration.ofDays(20)), store, "y1", "dairy/yogurt", 1, 300),
                orderLine("someone-" + run, run + "-e4", run + "-o4", LAST_VISIT, store, "x", "snacks/chips", 1, 3));
        List<ChurnScored> scores = oneAtRiskOfTen(member, run, store);
        try (KafkaCompanion kafka = ChurnEvents.companion(bootstrapServers)) {
            MemberEvents.register(kafka);
            MemberEvents.publish(kafka, events);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                ChurnEvents.publish(kafka, scores);
                given().get("/stores/{s}/call-list", store).then().statusCode(200)
                        .body("tasks[0].memberId", equalTo(member))
                        .body("tasks[0].insight.recencyDays", equalTo(20))
                        .body("tasks[0].insight.orders90d", equalTo(1))
                        .body("tasks[0].insight.netSpend90d", equalTo(300.0f))
                        .body("tasks[0].insight.returnedSinceLastPurchase", equalTo(1000.0f));
            });
        }
    }

    @Test
    void anEntryShowsRfmLastPurchaseFavouriteCategoriesAndOpenCoupons() {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        String member = "m-" + run + "-1";
        Instant lastOrder = LAST_VISIT.minus(Duration.ofDays(20));
        List<MemberEvent> events = List.of(
                orderLine(member, run + "-e1", run + "-o1", LAST_VISIT.minus(Duration.ofDays(60)), store, "y1", "dairy/yogurt/greek", 2, 30),
                orderLine(member, run + "-e2", run + "-o1", LAST_VISIT.minus(Duration.ofDays(60)), store, "b1", "bakery/bread", 1, 8),
                orderLine(member, run + "-e3", run + "-o2", lastOrder, "other-" + run, "y2", "dairy/yogurt/plain", 3, 21),
                orderLine(member, run + "-e4", run + "-o2", lastOrder, "other-" + run, "f1", "produce/fruit/apple", 1, 6),
                refund(member, run + "-e5", run + "-o1", LAST_VISIT.minus(Duration.ofDays(50)), store, 5),
                orderLine(member, run + "-e6", run + "-o0", LAST_VISIT.minus(Duration.ofDays(120)), store, "m1", "meat/beef", 1, 400),
                coupon(member, run + "-c1", true, run + "-coupon-open", "spring", 10, LAST_VISIT.minus(Duration.ofDays(5)), store),
                coupon(member, run + "-c2", true, run + "-coupon-used", "spring", 5, LAST_VISIT.minus(Duration.ofDays(6)), store),
                // Redeemed by someone else: a coupon id is not an identity, but the coupon is used all the same.
                coupon("someone-" + run, run + "-c3", false, run + "-coupon-used", "spring", 5, LAST_VISIT.minus(Duration.ofDays(4)), store),
                coupon(member, run + "-c4", true, run + "-coupon-expired", "winter", 8, LAST_VISIT.minus(Duration.ofDays(45)), store),
                orderLine("someone-" + run, run + "-e7", run + "-o7", LAST_VISIT, store, "x", "snacks/chips", 1, 3));
        List<ChurnScored> scores = oneAtRiskOfTen(member, run, store);
        try (KafkaCompanion kafka = ChurnEvents.companion(bootstrapServers)) {
            MemberEvents.register(kafka);
            MemberEvents.publish(kafka, events);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                // Scores again until the events are in: a list cached before them would lack the coupons.
                ChurnEvents.publish(kafka, scores);
                given().get("/stores/{s}/call-list", store).then().statusCode(200)
                        .body("tasks[0].memberId", equalTo(member))
                        .body("tasks[0].insight.openCoupons.size()", equalTo(1))
                        // and the clock has reached the last visit (another member's order, on another partition)
                        .body("tasks[0].insight.recencyDays", equalTo(20));
            });
        }

        JsonPath task = given().get("/stores/{s}/call-list", store).then().statusCode(200).extract().jsonPath();
        assertThat(Instant.parse(task.getString("tasks[0].insight.asOf"))).isEqualTo(LAST_VISIT);
        assertThat(task.getLong("tasks[0].insight.recencyDays")).isEqualTo(20);
        assertThat(task.getInt("tasks[0].insight.orders90d")).isEqualTo(2);
        // The amounts' currency (memberpulse.campaign.currency, CNY by default), for the staff page to write them in.
        assertThat(task.getString("currency")).isEqualTo("CNY");
        assertThat(task.getString("tasks[0].insight.lastPurchase.storeId")).isEqualTo("other-" + run);
        assertThat(task.getList("tasks[0].insight.lastPurchase.items.sku")).containsExactly("y2", "f1");
        assertThat(task.getList("tasks[0].insight.openCoupons.couponId")).containsExactly(run + "-coupon-open");
        // 30 + 8 − 5 + 21 + 6 within 90 days; the 120-day-old beef is outside.
        assertThat(task.getDouble("tasks[0].insight.netSpend90d")).isEqualTo(60.0);
        assertThat(task.getList("tasks[0].insight.favouriteCategories")).containsExactly("dairy/yogurt", "bakery/bread", "produce/fruit");
        given().get("/stores/{s}/call-list", store).then()
                .body("tasks[0].talkingPoints", hasItem("1 open coupon, ¥10 expiring "
                        + LAST_VISIT.minus(Duration.ofDays(5)).plus(Duration.ofDays(30)).toString().substring(0, 10)))
                .body("tasks[0].talkingPoints.find { it.startsWith('last bought') }", notNullValue());

        var channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext()
                .intercept(AuthTestResource.as(AuthTestResource.analyst())).build();
        try {
            var list = CampaignServiceGrpc.newBlockingStub(channel)
                    .getCallList(GetCallListRequest.newBuilder().setStoreId(store).build());
            var insight = list.getTasks(0).getInsight();
            assertThat(insight.getRecencyDays()).isEqualTo(task.getLong("tasks[0].insight.recencyDays"));
            assertThat(insight.getReturnedSinceLastPurchase())
                    .isEqualTo(task.getDouble("tasks[0].insight.returnedSinceLastPurchase"));
            assertThat(insight.getNetSpend90D()).isEqualTo(60.0);
            assertThat(insight.getLastPurchase().getStoreId()).isEqualTo("other-" + run);
            assertThat(insight.getLastPurchase().getItemsCount()).isEqualTo(2);
            assertThat(insight.getOpenCouponsList()).extracting(c -> c.getCouponId()).containsExactly(run + "-coupon-open");
        } finally {
            channel.shutdownNow();
        }
    }
}
