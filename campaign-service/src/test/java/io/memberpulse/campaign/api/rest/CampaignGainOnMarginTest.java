package io.memberpulse.campaign.api.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.memberpulse.campaign.WithKafkaCompanion;
import io.memberpulse.campaign.domain.experiment.Arm;
import io.memberpulse.campaign.domain.experiment.Assignment;
import io.memberpulse.campaign.testdata.Campaigns;
import io.memberpulse.campaign.testdata.ChurnEvents;
import io.memberpulse.campaign.testdata.MemberEvents;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.OrderRef;
import io.memberpulse.proto.identity.v1.Source;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The margin_rate of purchase lines on member.events prices the campaign's gain and ROI over REST. */
@QuarkusTest
class CampaignGainOnMarginTest extends WithKafkaCompanion {
    @Inject
    Pool database;

    /** The serdes of the payloads this test publishes or reads, beside ChurnScored's. */
    @BeforeEach
    void registerSerdes() {
        MemberEvents.register(kafka);
    }

    /**
     * Two treated and two held-out members, an SMS at ¥1 a touch with a ¥10 coupon, the default margin rate 0.30
     * (wine, dairy and tobacco have no category rate in tests).
     * Treated a: a ¥100 line at its own 50%, then ¥20 of it refunded by an event without a rate, which takes margin
     * back at the order's 50%: revenue 80, margin 50 − 10 = 40. Treated b: one order of a ¥60 line without a rate and
     * a ¥40 line at 20%, paid with the campaign's ¥10 coupon: revenue 100, margin 18 + 8 = 26. Held out c: ¥50 without
     * a rate, margin 15; held out d buys nothing. Revenue per member 90 against 25 (uplift 65; incremental revenue
     * 65 × 2 + 10 = 140); margin per member 33 against 7.5 (uplift 25.5). Cost 2 × ¥1 + ¥10 = 12. Gain 25.5 × 2 + the
     * coupon's margin 10 × 0.30 = 54: ROI 4.5 (on revenue it read 140 / 12 = 11.67).
     */
    @Test
    void theGainAndRoiArePricedAtEachLinesMarginRate() {
        String run = ChurnEvents.run();
        String store = "mg-" + run;
        LiveCampaign live = liveSms(run, store);
        String campaign = live.id(), a = live.treated(0), b = live.treated(1), c = live.heldOut(0);

        Instant bought = live.start().plus(Duration.ofDays(2));
        MemberEvents.publish(kafka, List.of(
                withMargin(MemberEvents.orderLine(a, run + "-a1", run + "-oa", bought, store, "sku-a", "wine", 1, 100), 0.5),
                MemberEvents.refund(a, run + "-a2", run + "-oa", bought.plus(Duration.ofDays(1)), store, 20),
                MemberEvents.coupon(b, run + "-bi", true, run + "-cb", campaign, 10, live.start(), store),
                MemberEvents.orderLine(b, run + "-b1", run + "-ob", bought, store, "sku-b", "dairy/milk", 1, 60),
                withMargin(MemberEvents.orderLine(b, run + "-b2", run + "-ob", bought, store, "sku-c", "tobacco", 1, 40), 0.2),
                MemberEvents.coupon(b, run + "-br", false, run + "-cb", campaign, 10, bought, store),
                MemberEvents.orderLine(c, run + "-c1", run + "-oc", bought, store, "sku-b", "dairy/milk", 1, 50)));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonPath results = Campaigns.results(campaign);
            assertThat(results.getDouble("cost")).isEqualTo(12);
            // What REST reported before, kept under its names.
            assertThat(results.getDouble("revenuePerMemberUplift.value")).isCloseTo(65, within(1e-9));
            assertThat(results.getDouble("incrementalRevenue")).isCloseTo(140, within(1e-9));
            assertThat(results.getDouble("treated.marginPerMember")).isCloseTo(33, within(1e-9));
            assertThat(results.getDouble("holdout.marginPerMember")).isCloseTo(7.5, within(1e-9));
            assertThat(results.getDouble("marginPerMemberUplift.value")).isCloseTo(25.5, within(1e-9));
            assertThat(results.getDouble("incrementalGain")).isCloseTo(54, within(1e-9));
            assertThat(results.getDouble("roi")).isCloseTo(4.5, within(1e-9));
        });
    }

    /**
     * Lines without a rate take their category's (the tests' memberpulse.campaign.category-margin-rates
     * garden:0.5,garden/seeds:0.1, the longest whole-segment prefix winning), else the default 0.30; a line's own rate
     * still wins. The same campaign, no coupon redeemed. Treated a: one order of a ¥100 garden/tools line (0.5: 50) and
     * a ¥50 garden/seeds/tomato line (0.1: 5), then ¥30 of it refunded by an event without a rate, which takes margin
     * back at the order's rate 55 / 150: revenue 120, margin 55 − 11 = 44. Treated b: a ¥40 gardening/gloves line (not
     * under garden: the default, 12) and a ¥10 refund in garden/hoses of an order not here (its category's 0.5: −5):
     * revenue 30, margin 7. Held out c: ¥20 in garden at its own 20%: margin 4; held out d buys nothing. Revenue per
     * member 75 against 10 (incremental revenue 65 × 2 = 130); margin per member 25.5 against 2 (uplift 23.5). Cost 2
     * × ¥1. Gain 23.5 × 2 = 47: ROI 23.5 (at the flat default rate it read margin 22.5 per member, gain 41, ROI 20.5).
     */
    @Test
    void linesWithoutARateArePricedAtTheirCategorysRate() {
        String run = ChurnEvents.run();
        String store = "mc-" + run;
        LiveCampaign live = liveSms(run, store);
        String a = live.treated(0), b = live.treated(1), c = live.heldOut(0);

        Instant bought = live.start().plus(Duration.ofDays(2));
        MemberEvents.publish(kafka, List.of(
                MemberEvents.orderLine(a, run + "-a1", run + "-oa", bought, store, "sku-t", "garden/tools", 1, 100),
                MemberEvents.orderLine(a, run + "-a2", run + "-oa", bought, store, "sku-s", "garden/seeds/tomato", 1, 50),
                MemberEvents.refund(a, run + "-a3", run + "-oa", bought.plus(Duration.ofDays(1)), store, 30),
                MemberEvents.orderLine(b, run + "-b1", run + "-ob", bought, store, "sku-g", "gardening/gloves", 1, 40),
                inCategory(MemberEvents.refund(b, run + "-b2", run + "-elsewhere", bought, store, 10), "garden/hoses"),
                withMargin(MemberEvents.orderLine(c, run + "-c1", run + "-oc", bought, store, "sku-t", "garden", 1, 20), 0.2)));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonPath results = Campaigns.results(live.id());
            assertThat(results.getDouble("cost")).isEqualTo(2);
            assertThat(results.getDouble("revenuePerMemberUplift.value")).isCloseTo(65, within(1e-9));
            assertThat(results.getDouble("incrementalRevenue")).isCloseTo(130, within(1e-9));
            assertThat(results.getDouble("treated.marginPerMember")).isCloseTo(25.5, within(1e-9));
            assertThat(results.getDouble("holdout.marginPerMember")).isCloseTo(2, within(1e-9));
            assertThat(results.getDouble("marginPerMemberUplift.value")).isCloseTo(23.5, within(1e-9));
            assertThat(results.getDouble("incrementalGain")).isCloseTo(47, within(1e-9));
            assertThat(results.getDouble("roi")).isCloseTo(23.5, within(1e-9));
        });
    }

    /**
     * A redeemed coupon's margin is added back at the rate of the order it was used on (its order_id), the
     * amount-weighted rate of that order's lines, each at its own rate, else its category's, else the default, as a
     * refund without a rate is priced; at the default only where its order is not here. The same campaign (¥10 coupon,
     * default 0.30, garden 0.5). Treated a: one order of a ¥50 line at its own 60% (30), a ¥30 garden/tools line (0.5:
     * 15) and a ¥20 dairy/milk line (no category rate: the default, 6), paid with the campaign's coupon, whose
     * redemption the CRM reports without the order and the till with it (one coupon, priced by the till's report):
     * revenue 100, margin 51, the order's rate 51 / 100 = 0.51. Treated b: a ¥40 gardening/gloves line (the default: 12)
     * and a coupon redeemed on an order that is not here (the default rate). Held out c: ¥20 in garden at its own 20%
     * (4); held out d buys nothing. Revenue per member 70 against 10 (incremental revenue 60 × 2 + 2 coupons × ¥10 =
     * 140); margin per member 31.5 against 2 (uplift 29.5). Cost 2 × ¥1 + 2 × ¥10 = 22. Gain 29.5 × 2 + a's coupon
     * 10 × 0.51 + b's 10 × 0.30 = 59 + 5.1 + 3 = 67.1: ROI 3.05 (both coupons at the default read 65, ROI 2.95).
     */
    @Test
    void aRedeemedCouponsMarginIsAddedBackAtItsOrdersRate() {
        String run = ChurnEvents.run();
        String store = "mo-" + run;
        LiveCampaign live = liveSms(run, store);
        String campaign = live.id(), a = live.treated(0), b = live.treated(1), c = live.heldOut(0);

        Instant bought = live.start().plus(Duration.ofDays(2));
        MemberEvents.publish(kafka, List.of(
                withMargin(MemberEvents.orderLine(a, run + "-a1", run + "-oa", bought, store, "sku-w", "wine", 1, 50), 0.6),
                MemberEvents.orderLine(a, run + "-a2", run + "-oa", bought, store, "sku-t", "garden/tools", 1, 30),
                MemberEvents.orderLine(a, run + "-a3", run + "-oa", bought, store, "sku-m", "dairy/milk", 1, 20),
                MemberEvents.coupon(a, run + "-ar", false, run + "-ca", campaign, 10, bought, store),
                onOrder(MemberEvents.coupon(a, run + "-ar-till", false, run + "-ca", campaign, 10, bought, store), run + "-oa"),
                MemberEvents.orderLine(b, run + "-b1", run + "-ob", bought, store, "sku-g", "gardening/gloves", 1, 40),
                onOrder(MemberEvents.coupon(b, run + "-br", false, run + "-cb", campaign, 10, bought, store),
                        run + "-elsewhere"),
                withMargin(MemberEvents.orderLine(c, run + "-c1", run + "-oc", bought, store, "sku-t", "garden", 1, 20), 0.2)));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonPath results = Campaigns.results(campaign);
            assertThat(results.getDouble("cost")).as("each coupon once").isEqualTo(22);
            assertThat(results.getDouble("incrementalRevenue")).isCloseTo(140, within(1e-9));
            assertThat(results.getDouble("treated.marginPerMember")).isCloseTo(31.5, within(1e-9));
            assertThat(results.getDouble("holdout.marginPerMember")).isCloseTo(2, within(1e-9));
            assertThat(results.getDouble("marginPerMemberUplift.value")).isCloseTo(29.5, within(1e-9));
            assertThat(results.getDouble("incrementalGain")).isCloseTo(67.1, within(1e-9));
            assertThat(results.getDouble("roi")).isCloseTo(3.05, within(1e-9));
        });
    }

    /**
     * DOMAIN's "promotion-sensitive" trap: treated a pays ¥90 for ¥100 of goods with the campaign's ¥10 coupon, then
     * is refunded the ¥90 within the window. A sale that did not stand is no conversion and earns no coupon back: a
     * converts not (as rfm-service's Orders.isPurchase), revenue and margin uplift 0, and the coupon is not added back
     * to revenue (+¥10 before) or gain (+¥3 before), while its cost stays counted (2 × ¥1 + ¥10 = 12). Nobody else buys.
     */
    @Test
    void anOrderRefundedInFullConvertsNotAndItsCouponIsNotAddedBack() {
        String run = ChurnEvents.run();
        String store = "mr-" + run;
        LiveCampaign live = liveSms(run, store);
        String campaign = live.id(), a = live.treated(0);

        Instant bought = live.start().plus(Duration.ofDays(2));
        MemberEvents.publish(kafka, List.of(
                MemberEvents.coupon(a, run + "-ai", true, run + "-ca", campaign, 10, live.start(), store),
                MemberEvents.orderLine(a, run + "-a1", run + "-oa", bought, store, "sku-w", "wine", 1, 90),
                onOrder(MemberEvents.coupon(a, run + "-ar", false, run + "-ca", campaign, 10, bought, store), run + "-oa"),
                MemberEvents.refund(a, run + "-a2", run + "-oa", bought.plus(Duration.ofDays(1)), store, 90)));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonPath monitor = given().get("/campaigns/{id}/monitor", campaign).then().statusCode(200).extract().jsonPath();
            assertThat(monitor.getInt("overall.treated.participated")).as("the coupon was redeemed").isEqualTo(1);
            assertThat(monitor.getInt("overall.treated.converted")).as("a refunded sale is no purchase").isZero();
            JsonPath results = Campaigns.results(campaign);
            assertThat(results.getDouble("cost")).as("the coupon was spent").isEqualTo(12);
            assertThat(results.getDouble("treated.revenuePerMember")).isZero();
            assertThat(results.getLong("treated.converted")).as("a refunded sale is no purchase").isZero();
            assertThat(results.getDouble("incrementalRevenue")).isCloseTo(0, within(1e-9));
            assertThat(results.getDouble("incrementalGain")).isCloseTo(0, within(1e-9));
        });
    }

    /**
     * The same sale reported twice: the delivery platform's order D1 (counted) and the till's copy T9 rung up minutes
     * later (identity-service flags it). The coupon is scanned and the goods returned at the till, both naming T9:
     * identity names D1 in counted_order (the refund once without it, as when the copy is flagged only later, then
     * with it), so the refund takes D1 back in full: a converts not, and the coupon is not added back.
     */
    @Test
    void anOrderRefundedInFullAtTheTillUnderItsCopysIdConvertsNot() {
        String run = ChurnEvents.run();
        String store = "mt-" + run;
        LiveCampaign live = liveSms(run, store);
        String campaign = live.id(), a = live.treated(0);

        Instant bought = live.start().plus(Duration.ofDays(2));
        OrderRef counted = OrderRef.newBuilder().setSource(Source.SOURCE_DELIVERY).setOrderId(run + "-D1").build();
        MemberEvent refund = MemberEvents.refund(a, run + "-a3", run + "-T9", bought.plus(Duration.ofDays(1)), store, 90);
        MemberEvents.publish(kafka, List.of(
                MemberEvents.coupon(a, run + "-ai", true, run + "-ca", campaign, 10, live.start(), store),
                fromSource(MemberEvents.orderLine(a, run + "-a1", run + "-D1", bought, store, "sku-w", "wine", 1, 90),
                        Source.SOURCE_DELIVERY),
                MemberEvents.orderLine(a, run + "-a2", run + "-T9", bought.plusSeconds(420), store, "sku-w", "wine", 1, 90)
                        .toBuilder().setDuplicateOrder(true).setNeverCounted(true).build(),
                onOrder(MemberEvents.coupon(a, run + "-ar", false, run + "-ca", campaign, 10, bought, store), run + "-T9")
                        .toBuilder().setCountedOrder(counted).build(),
                refund, refund.toBuilder().setCountedOrder(counted).build()));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonPath monitor = given().get("/campaigns/{id}/monitor", campaign).then().statusCode(200).extract().jsonPath();
            assertThat(monitor.getInt("overall.treated.participated")).as("the coupon was redeemed").isEqualTo(1);
            assertThat(monitor.getInt("overall.treated.converted")).as("a refunded sale is no purchase").isZero();
            JsonPath results = Campaigns.results(campaign);
            assertThat(results.getDouble("cost")).as("the coupon was spent").isEqualTo(12);
            assertThat(results.getDouble("treated.revenuePerMember")).isZero();
            assertThat(results.getLong("treated.converted")).as("a refunded sale is no purchase").isZero();
            assertThat(results.getDouble("incrementalRevenue")).isCloseTo(0, within(1e-9));
            assertThat(results.getDouble("incrementalGain")).isCloseTo(0, within(1e-9));
        });
    }

    /**
     * A refund moved to the delivery order D1 (at 50%) while the till's T9 was all copy comes back once a line of the
     * till's own arrives (a bag, ¥10 at 10%) and identity-service publishes it again naming T9: the ¥10 refund takes
     * back margin at T9's rate. Treated a: 45 − 5 = 40 before; 45 + 1 − 1 = 45 after (41, had it stayed on D1); b buys
     * nothing.
     */
    @Test
    void aRefundMovedToTheCountedOrderComesBackWhenTheTillsOrderCountsAgain() {
        String run = ChurnEvents.run();
        String store = "mb-" + run;
        LiveCampaign live = liveSms(run, store);
        String a = live.treated(0);

        Instant bought = live.start().plus(Duration.ofDays(2));
        MemberEvent refund = MemberEvents.refund(a, run + "-a3", run + "-T9", bought.plus(Duration.ofDays(1)), store, 10);
        MemberEvents.publish(kafka, List.of(
                fromSource(withMargin(MemberEvents.orderLine(a, run + "-a1", run + "-D1", bought, store, "sku-w", "wine",
                        1, 90), 0.5), Source.SOURCE_DELIVERY),
                withMargin(MemberEvents.orderLine(a, run + "-a2", run + "-T9", bought.plusSeconds(420), store, "sku-w",
                        "wine", 1, 90), 0.5).toBuilder().setDuplicateOrder(true).setNeverCounted(true).build(),
                refund.toBuilder().setCountedOrder(OrderRef.newBuilder().setSource(Source.SOURCE_DELIVERY)
                        .setOrderId(run + "-D1")).build()));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(Campaigns.results(live.id())
                .getDouble("treated.marginPerMember")).isCloseTo(20, within(1e-9)));

        MemberEvents.publish(kafka, List.of(
                withMargin(MemberEvents.orderLine(a, run + "-a4", run + "-T9", bought.plusSeconds(420), store, "sku-b",
                        "bags", 1, 10), 0.1),
                refund.toBuilder().setCountedOrder(OrderRef.newBuilder().setSource(Source.SOURCE_POS)
                        .setOrderId(run + "-T9")).build()));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(Campaigns.results(live.id())
                .getDouble("treated.marginPerMember")).isCloseTo(22.5, within(1e-9)));
    }

    /**
     * An order is its source's order_id: a till's order o1 at 50% and a mini-program's o1 at 10% of one member are two
     * orders, and a till refund without a rate takes margin back at the till order's rate (blended, it took 30%).
     * Treated a: both ¥100 orders, ¥20 refunded at the till: revenue 180, margin 50 + 10 − 10 = 50 (blended 54).
     * Treated b: a delivery order o2 of ¥100 at 40%, ¥50 of it returned at the till (no till order o2): the refund
     * still finds its order, −20: revenue 50, margin 20. Held out c and d buy nothing: margin per member 35 against 0.
     */
    @Test
    void aRefundTakesBackMarginAtItsOwnSourcesOrder() {
        String run = ChurnEvents.run();
        String store = "ms-" + run;
        LiveCampaign live = liveSms(run, store);
        String a = live.treated(0), b = live.treated(1);

        Instant bought = live.start().plus(Duration.ofDays(2));
        MemberEvents.publish(kafka, List.of(
                withMargin(MemberEvents.orderLine(a, run + "-a1", run + "-o1", bought, store, "sku-w", "wine", 1, 100), 0.5),
                fromSource(withMargin(MemberEvents.orderLine(a, run + "-a2", run + "-o1", bought, store, "sku-m",
                        "dairy/milk", 1, 100), 0.1), Source.SOURCE_MINIAPP),
                MemberEvents.refund(a, run + "-a3", run + "-o1", bought.plus(Duration.ofDays(1)), store, 20),
                fromSource(withMargin(MemberEvents.orderLine(b, run + "-b1", run + "-o2", bought, store, "sku-w", "wine",
                        1, 100), 0.4), Source.SOURCE_DELIVERY),
                MemberEvents.refund(b, run + "-b2", run + "-o2", bought.plus(Duration.ofDays(1)), store, 50)));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonPath results = Campaigns.results(live.id());
            assertThat(results.getDouble("treated.revenuePerMember")).isCloseTo(115, within(1e-9));
            assertThat(results.getLong("treated.converted")).isEqualTo(2);
            assertThat(results.getDouble("treated.marginPerMember")).isCloseTo(35, within(1e-9));
        });
    }

    /** A live campaign, the window it started, and two of its treated and two of its held-out members. */
    private record LiveCampaign(String id, Instant start, List<String> treated, List<String> heldOut) {
        String treated(int i) {
            return treated.get(i);
        }

        String heldOut(int i) {
            return heldOut.get(i);
        }
    }

    /**
     * An SMS campaign at ¥1 a touch with a ¥10 coupon, half held out, for the store's members of churn probability 0.5
     * and above, in a window around the present, taken live with two treated and two held-out members scored in the
     * store.
     */
    private LiveCampaign liveSms(String run, String store) {
        Instant start = Campaigns.startAroundNow();
        Campaigns.knownStore(kafka, store, run);
        String campaign = Campaigns.planned("""
                {"name": "sms", "targetMinProbability": 0.5, "targetStoreId": "%s", "channel": "sms", "costPerTouch": 1,
                 "couponValue": 10, "startAt": "%s", "endAt": "%s", "holdoutShare": 0.5}"""
                .formatted(store, start, start.plus(Campaigns.WINDOW)));
        List<String> treated = Campaigns.members("t", run, 2, m -> armOf(campaign, m) == Arm.TREATED);
        List<String> heldOut = Campaigns.members("h", run, 2, m -> armOf(campaign, m) == Arm.HOLDOUT);
        Campaigns.scoredIn(kafka, database, store, List.of(treated.get(0), treated.get(1), heldOut.get(0), heldOut.get(1)));
        Campaigns.goLiveAt(campaign, start);
        return new LiveCampaign(campaign, start, treated, heldOut);
    }

    private static Arm armOf(String campaign, String member) {
        return Assignment.of(campaign, member, 0.5, List.of()).arm();
    }

    private static MemberEvent inCategory(MemberEvent event, String category) {
        return event.toBuilder().setEvent(event.getEvent().toBuilder()
                .setLine(event.getEvent().getLine().toBuilder().setCategory(category))).build();
    }

    /** A coupon redemption that names the order it was used on, as the till reports it. */
    private static MemberEvent onOrder(MemberEvent redemption, String orderId) {
        return redemption.toBuilder().setEvent(redemption.getEvent().toBuilder().setSource(Source.SOURCE_POS)
                .setLine(redemption.getEvent().getLine().toBuilder().setOrderId(orderId))).build();
    }

    private static MemberEvent fromSource(MemberEvent event, Source source) {
        return event.toBuilder().setEvent(event.getEvent().toBuilder().setSource(source)).build();
    }

    private static MemberEvent withMargin(MemberEvent event, double rate) {
        return event.toBuilder().setEvent(event.getEvent().toBuilder()
                .setLine(event.getEvent().getLine().toBuilder().setMarginRate(rate))).build();
    }
}
