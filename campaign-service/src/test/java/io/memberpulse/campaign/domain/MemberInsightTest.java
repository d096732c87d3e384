package io.memberpulse.campaign.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemberInsightTest {
    static final Instant AS_OF = Instant.parse("2025-11-30T12:00:00Z");
    static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

    static MemberInsight.Line line(String order, int daysAgo, String store, String category, double paid) {
        return new MemberInsight.Line(order, false, AS_OF.minus(Duration.ofDays(daysAgo)), store, "sku-" + category, category,
                2.0, paid);
    }

    @Test
    void rfmCountsDistinctOrdersAndNetSpendOfTheLast90DaysOnly() {
        List<MemberInsight.Line> recent = List.of(
                line("o1", 80, "s1", "dairy/yogurt/greek", 30),
                line("o1", 80, "s1", "produce/fruit/berries", 20),
                line("o2", 12, "s2", "dairy/milk", 50),
                new MemberInsight.Line("o2", true, AS_OF.minus(Duration.ofDays(10)), "s2", "sku", "dairy/milk", null, -15),
                line("old", 95, "s1", "meat/beef", 500));
        List<MemberInsight.Line> last = List.of(line("o2", 12, "s2", "dairy/milk", 50));

        MemberInsight insight = MemberInsight.of(AS_OF, recent, last, List.of());

        assertThat(insight.recencyDays()).isEqualTo(12);
        assertThat(insight.orders90d()).isEqualTo(2);
        assertThat(insight.netSpend90d()).isEqualTo(85.0);
        assertThat(insight.lastPurchase().storeId()).isEqualTo("s2");
        assertThat(insight.lastPurchase().items()).extracting(MemberInsight.Item::category).containsExactly("dairy/milk");
        // dairy: 30 + 50 spent; produce 20; the 95-day-old beef is outside the window.
        assertThat(insight.favouriteCategories()).containsExactly("dairy/milk", "dairy/yogurt", "produce/fruit");
    }

    @Test
    void aMemberWhoseLastPurchaseIsOlderThanTheWindowStillShowsItAndItsCategories() {
        List<MemberInsight.Line> last = List.of(line("o9", 200, "s7", "bakery/bread/rye", 12), line("o9", 200, "s7", "bakery/cake", 30));

        MemberInsight insight = MemberInsight.of(AS_OF, List.of(), last, List.of());

        assertThat(insight.recencyDays()).isEqualTo(200);
        assertThat(insight.orders90d()).isZero();
        assertThat(insight.lastPurchase().amount()).isEqualTo(42.0);
        assertThat(insight.favouriteCategories()).containsExactly("bakery/cake", "bakery/bread");
    }

    @Test
    void aMemberWhoNeverBoughtHasNoRecencyAndSaysSo() {
        MemberInsight insight = MemberInsight.of(AS_OF, List.of(), List.of(), List.of());

        assertThat(insight.recencyDays()).isNull();
        assertThat(insight.lastPurchase()).isNull();
        assertThat(TalkingPoints.history(insight, SHANGHAI, Money.CNY)).containsExactly("no purchase on record", "no open coupons");
    }

    /**
     * An order refunded in full is no purchase (as rfm-service's Orders.isPurchase): the card neither counts it nor
     * dates the last purchase by it; the order refunded in part still counts.
     */
    @Test
    void anOrderRefundedInFullIsNoPurchase() {
        List<MemberInsight.Line> recent = List.of(
                line("pos:o1", 20, "s1", "dairy/milk", 50),
                line("pos:o2", 3, "s1", "wine", 90),
                new MemberInsight.Line("pos:o2", true, AS_OF.minus(Duration.ofDays(2)), "s1", null, null, null, -90),
                line("pos:o3", 10, "s1", "bakery/bread", 40),
                new MemberInsight.Line("pos:o3", true, AS_OF.minus(Duration.ofDays(9)), "s1", null, null, null, -10));

        MemberInsight insight = MemberInsight.of(AS_OF, recent, List.of(line("pos:o3", 10, "s1", "bakery/bread", 40)),
                List.of());

        assertThat(insight.orders90d()).isEqualTo(2);
        assertThat(insight.netSpend90d()).isEqualTo(80.0);
    }

    /**
     * Last quarter's ¥1,000 order returned 10 days ago comes off that order, not these 90 days (as rfm's M90 and churn's
     * 90-day value): the card says ¥300 net, the order bought 20 days ago, not -¥700. A refund whose order is not known
     * (its own number) still counts at its date.
     */
    @Test
    void aRefundOfAnOrderPlacedBeforeThe90DaysComesOffThatOrder() {
        MemberInsight.Line old = line("pos:A", 100, "s1", "wine", 1000);
        MemberInsight.Line returned = new MemberInsight.Line("pos:A", true, AS_OF.minus(Duration.ofDays(10)), "s1", null,
                null, null, -1000);
        MemberInsight.Line bought = line("pos:B", 20, "s1", "dairy/milk", 300);
        MemberInsight insight = MemberInsight.of(AS_OF, List.of(old, returned, bought), List.of(bought), List.of());
        assertThat(insight.netSpend90d()).isEqualTo(300.0);
        assertThat(insight.orders90d()).isEqualTo(1);
        assertThat(insight.returnedSinceLastPurchase()).isEqualTo(1000.0); // what went back since, whichever order
        assertThat(TalkingPoints.history(insight, SHANGHAI, Money.CNY))
                .contains("RFM: last purchase 20 days ago, 1 order and ¥300 net in 90 days");

        MemberInsight.Line unknown = new MemberInsight.Line("pos:C9", true, AS_OF.minus(Duration.ofDays(5)), "s1", null,
                null, null, -50);
        assertThat(MemberInsight.of(AS_OF, List.of(old, returned, bought, unknown), List.of(bought), List.of())
                .netSpend90d()).isEqualTo(250.0);
    }

    /** Online Retail's member 16446: the last order went back twelve minutes later under its own number. */
    @Test
    void aReturnAfterTheLastPurchaseIsSaid() {
        MemberInsight.Line bought = new MemberInsight.Line("581483", false, AS_OF.minus(Duration.ofHours(3)), "uk", "23843",
                null, 80995.0, 168_469.60);
        MemberInsight.Line returned = new MemberInsight.Line("C581484", true, AS_OF.minus(Duration.ofHours(2)), "uk",
                "23843", null, 80995.0, -168_469.60);
        MemberInsight.Line earlierReturn = new MemberInsight.Line("C1", true, AS_OF.minus(Duration.ofDays(30)), "uk",
                "1", null, 1.0, -5.0);
        MemberInsight insight = MemberInsight.of(AS_OF, List.of(earlierReturn, bought, returned), List.of(bought), List.of());
        assertThat(insight.returnedSinceLastPurchase()).isEqualTo(168_469.60);
        assertThat(TalkingPoints.history(insight, SHANGHAI, Money.CNY)).contains("returned ¥168,470 since then");

        MemberInsight kept = MemberInsight.of(AS_OF, List.of(earlierReturn, bought), List.of(bought), List.of());
        assertThat(kept.returnedSinceLastPurchase()).isZero();
        assertThat(TalkingPoints.history(kept, SHANGHAI, Money.CNY)).noneMatch(point -> point.startsWith("returned"));
    }

    @Test
    void talkingPointsNameTheLastPurchaseFavouritesAndTheSoonestExpiringCoupon() {
        var later = new MemberInsight.OpenCoupon("c2", "camp", 5.0, AS_OF.minus(Duration.ofDays(1)), AS_OF.plus(Duration.ofDays(29)));
        var sooner = new MemberInsight.OpenCoupon("c1", "camp", 10.0, AS_OF.minus(Duration.ofDays(20)), AS_OF.plus(Duration.ofDays(10)));
        MemberInsight insight = MemberInsight.of(AS_OF, List.of(line("o2", 3, "s2", "dairy/milk", 50)),
                List.of(line("o2", 3, "s2", "dairy/milk", 50)), List.of(later, sooner));

        assertThat(insight.openCoupons()).extracting(MemberInsight.OpenCoupon::couponId).containsExactly("c1", "c2");
        assertThat(TalkingPoints.history(insight, SHANGHAI, Money.CNY)).containsExactly(
                "RFM: last purchase 3 days ago, 1 order and ¥50 net in 90 days",
                "last bought 2025-11-27 at s2: 2 × dairy/milk (¥50)",
                "likes dairy/milk",
                "2 open coupons, ¥10 expiring 2025-12-10");
    }

    /** Staff read dates as days of the stores' calendar: 01:00 in Shanghai is still the previous day in UTC. */
    @Test
    void talkingPointDatesAreDaysOfTheConfiguredZone() {
        Instant bought = Instant.parse("2025-11-26T17:00:00Z"); // 2025-11-27 01:00 in Shanghai
        var line = new MemberInsight.Line("o1", false, bought, "s1", "sku", "dairy/milk", 1.0, 20);
        var coupon = new MemberInsight.OpenCoupon("c1", "camp", 5.0, bought, Instant.parse("2025-12-09T16:30:00Z"));
        MemberInsight insight = MemberInsight.of(AS_OF, List.of(line), List.of(line), List.of(coupon));

        assertThat(TalkingPoints.history(insight, SHANGHAI, Money.CNY))
                .contains("last bought 2025-11-27 at s1: 1 × dairy/milk (¥20)", "1 open coupon, ¥5 expiring 2025-12-10");
        assertThat(TalkingPoints.history(insight, ZoneOffset.UTC, Money.CNY))
                .contains("last bought 2025-11-26 at s1: 1 × dairy/milk (¥20)", "1 open coupon, ¥5 expiring 2025-12-09");
    }
}
