package io.memberpulse.identity.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memberpulse.identity.domain.Attribution.Credit;
import io.memberpulse.identity.domain.Attribution.Model;
import io.memberpulse.identity.domain.Attribution.Order;
import io.memberpulse.identity.domain.Attribution.TouchKind;
import io.memberpulse.identity.domain.Attribution.TouchPoint;
import io.memberpulse.identity.domain.Attribution.Windows;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class AttributionTest {
    static final Instant ORDER_AT = Instant.parse("2025-03-10T10:00:00Z");
    static final Windows WINDOWS = Windows.of(Duration.ofHours(2), Duration.ofDays(14), Duration.ofDays(7),
            Duration.ofDays(1));
    static final Order ORDER = new Order("pos:o-1", ORDER_AT, 120.0);

    static TouchPoint touch(String key, TouchKind kind, Duration before, String campaign) {
        return new TouchPoint(key, kind, ORDER_AT.minus(before), "miniapp", campaign);
    }

    final TouchPoint issued = touch("miniapp:c1", TouchKind.COUPON_ISSUED, Duration.ofDays(3), "CMP-A");
    final TouchPoint visit = touch("app:v1", TouchKind.VISIT, Duration.ofHours(5), "");
    final TouchPoint redeemed = touch("pos:r1", TouchKind.COUPON_REDEEMED, Duration.ZERO, "CMP-A");

    @Test
    void lastTouchGivesTheWholeOrderToTheLatestTouchInItsWindow() {
        List<Credit> credits = Attribution.attribute(ORDER, List.of(issued, redeemed, visit), WINDOWS, Model.LAST_TOUCH);
        assertThat(credits).singleElement().satisfies(credit -> {
            assertThat(credit.touch()).isEqualTo(redeemed);
            assertThat(credit.weight()).isEqualTo(1.0);
            assertThat(credit.amount()).isEqualTo(120.0);
        });
    }

    @Test
    void linearSharesTheOrderEquallyAmongTheTouchesThatCount() {
        List<Credit> credits = Attribution.attribute(ORDER, List.of(visit, issued, redeemed), WINDOWS, Model.LINEAR);
        assertThat(credits).extracting(Credit::touch).containsExactly(redeemed, visit, issued);
        assertThat(credits).allSatisfy(credit -> {
            assertThat(credit.weight()).isCloseTo(1.0 / 3, Offset.offset(1e-12));
            assertThat(credit.amount()).isCloseTo(40.0, Offset.offset(1e-9));
        });
        assertThat(credits.stream().mapToDouble(Credit::weight).sum()).isCloseTo(1.0, Offset.offset(1e-12));
    }

    @Test
    void touchesAfterTheOrderOrOlderThanTheirWindowCountForNothing() {
        TouchPoint later = new TouchPoint("app:v2", TouchKind.VISIT, ORDER_AT.plusSeconds(60), "app", "");
        TouchPoint staleVisit = touch("app:v0", TouchKind.VISIT, Duration.ofDays(2), "");
        TouchPoint staleCoupon = touch("miniapp:c0", TouchKind.COUPON_ISSUED, Duration.ofDays(15), "CMP-B");
        assertThat(Attribution.attribute(ORDER, List.of(later, staleVisit, staleCoupon), WINDOWS, Model.LINEAR)).isEmpty();
        // the same coupon 13 days before counts: windows are per kind
        TouchPoint inWindow = touch("miniapp:c2", TouchKind.COUPON_ISSUED, Duration.ofDays(13), "CMP-B");
        assertThat(Attribution.attribute(ORDER, List.of(staleVisit, inWindow), WINDOWS, Model.LAST_TOUCH))
                .extracting(Credit::touch).containsExactly(inWindow);
    }

    @Test
    void onEqualTimesTheMoreSpecificTouchIsTheLastOne() {
        TouchPoint sameTimeVisit = touch("pos:v9", TouchKind.VISIT, Duration.ZERO, "");
        assertThat(Attribution.attribute(ORDER, List.of(sameTimeVisit, redeemed), WINDOWS, Model.LAST_TOUCH))
                .extracting(Credit::touch).containsExactly(redeemed);
    }

    @Test
    void aKindWithoutAWindowNeverCountsAndNegativeWindowsAreRefused() {
        Windows couponsOnly = new Windows(java.util.Map.of(TouchKind.COUPON_ISSUED, Duration.ofDays(30)));
        assertThat(Attribution.attribute(ORDER, List.of(visit, issued), couponsOnly, Model.LINEAR))
                .extracting(Credit::touch).containsExactly(issued);
        assertThatThrownBy(() -> Windows.of(Duration.ofHours(-1), Duration.ZERO, Duration.ZERO, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(WINDOWS.longest()).isEqualTo(Duration.ofDays(14));
    }

    @Test
    void campaignTotalsCountEveryOrderOnceAndCreditCampaignsByTheirShare() {
        CampaignAttribution totals = new CampaignAttribution();
        Order second = new Order("pos:o-2", ORDER_AT, 60.0);
        totals.add(ORDER, Attribution.attribute(ORDER, List.of(issued, visit), WINDOWS, Model.LINEAR));
        totals.add(second, Attribution.attribute(second, List.of(redeemed), WINDOWS, Model.LINEAR));
        totals.add(new Order("pos:o-3", ORDER_AT, 10.0), List.of());

        CampaignAttribution.Totals result = totals.totals();
        assertThat(result.orders()).isEqualTo(3);
        assertThat(result.revenue()).isEqualTo(190.0);
        assertThat(result.attributedOrders()).isEqualTo(2);
        assertThat(result.campaigns()).singleElement().satisfies(campaign -> {
            assertThat(campaign.campaignId()).isEqualTo("CMP-A");
            assertThat(campaign.orders()).isCloseTo(1.5, Offset.offset(1e-12));
            assertThat(campaign.revenue()).isCloseTo(120.0, Offset.offset(1e-9)); // half of 120 + all of 60
        });
        assertThat(Model.fromCode("last-touch")).contains(Model.LAST_TOUCH);
        assertThat(Model.fromCode("first-touch")).isEmpty();
    }
}
