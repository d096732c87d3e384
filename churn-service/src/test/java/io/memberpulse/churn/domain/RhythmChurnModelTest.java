package io.memberpulse.churn.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RhythmChurnModelTest {
    static final Instant NOW = Instant.parse("2024-06-30T00:00:00Z");
    final RhythmChurnModel model = new RhythmChurnModel(90, 60);

    static List<Purchase> everyNDays(int n, int count, int lastDaysAgo, String store) {
        List<Purchase> purchases = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            purchases.add(new Purchase("o" + i, false, NOW.minus(Duration.ofDays(lastDaysAgo + (long) n * (count - 1 - i))),
                    store, 20));
        }
        return purchases;
    }

    @Test
    void aMemberOverdueAgainstTheirOwnRhythmIsRiskierThanOneOnRhythm() {
        double onRhythm = model.score("a", everyNDays(7, 10, 3, "s1"), NOW).orElseThrow().probability();
        double overdue = model.score("b", everyNDays(7, 10, 35, "s1"), NOW).orElseThrow().probability();
        assertThat(onRhythm).isLessThan(0.2);
        assertThat(overdue).isGreaterThan(0.9);
    }

    @Test
    void theSameRecencyMeansLessForASlowBuyer() {
        double weekly = model.score("a", everyNDays(7, 10, 30, "s1"), NOW).orElseThrow().probability();
        double quarterly = model.score("b", everyNDays(90, 4, 30, "s1"), NOW).orElseThrow().probability();
        assertThat(quarterly).isLessThan(weekly);
    }

    @Test
    void aOneTimeBuyerIsJudgedAgainstTheDefaultRhythm() {
        ChurnScore score = model.score("a", everyNDays(1, 1, 60, "s1"), NOW).orElseThrow();
        assertThat(score.expectedGapDays()).isEqualTo(60.0);
        // r = 1: alive = 1/2; churn = 1/2 + 1/2 * exp(-90/60).
        assertThat(score.probability()).isCloseTo(0.5 + 0.5 * Math.exp(-1.5), within(1e-9));
    }

    @Test
    void nothingAfterAsOfIsUsedAndFullyRefundedOrdersDoNotCount() {
        List<Purchase> purchases = new ArrayList<>(everyNDays(10, 3, 40, "s1"));
        purchases.add(new Purchase("future", false, NOW.plus(Duration.ofDays(1)), "s1", 50));
        purchases.add(new Purchase("r", false, NOW.minus(Duration.ofDays(2)), "s2", 30));
        purchases.add(new Purchase("r", true, NOW.minus(Duration.ofDays(1)), "s2", -30));
        ChurnScore score = model.score("a", purchases, NOW).orElseThrow();
        assertThat(score.recencyDays()).isCloseTo(40, within(1e-9));
        assertThat(score.homeStoreId()).isEqualTo("s1");
        assertThat(score.memberValue()).isCloseTo(60, within(1e-9));
        assertThat(model.score("b", List.of(new Purchase("f", false, NOW.plusSeconds(1), "s1", 5)), NOW)).isEmpty();
    }

    /**
     * Online Retail's member 16446: 80,995 units bought and the whole line cancelled twelve minutes later under
     * a cancellation number of its own (C581484). The refund names no order of the member, yet it returns the
     * money: the 90-day value is what is left, never below nothing. Refunds before the window do not count.
     */
    @Test
    void refundsUnderTheirOwnNumberComeOffTheNinetyDayValue() {
        List<Purchase> purchases = new ArrayList<>(everyNDays(30, 3, 100, "s1")); // 60 + 100 + 130 days ago: outside
        purchases.add(new Purchase("553573", false, NOW.minus(Duration.ofDays(50)), "s1", 2.90));
        purchases.add(new Purchase("581483", false, NOW.minus(Duration.ofHours(3)), "s1", 168_469.60));
        purchases.add(new Purchase("C581484", true, NOW.minus(Duration.ofHours(2)), "s1", -168_469.60));
        purchases.add(new Purchase("C500000", true, NOW.minus(Duration.ofDays(95)), "s1", -20));
        assertThat(model.score("16446", purchases, NOW).orElseThrow().memberValue()).isCloseTo(2.90, within(1e-6));

        purchases.add(new Purchase("C581485", true, NOW.minus(Duration.ofHours(1)), "s1", -10));
        assertThat(model.score("16446", purchases, NOW).orElseThrow().memberValue()).isZero();
    }

    /**
     * Two orders placed at the same instant (two tills, a basket the channel split) are two orders for the value and
     * the home store, one visit for the rhythm. Before, the second was dropped from both (122 such instants in Online
     * Retail, 85 members).
     */
    @Test
    void ordersPlacedAtTheSameInstantAllCountForValueAndHomeStore() {
        Instant lastVisit = NOW.minus(Duration.ofDays(5));
        List<Purchase> purchases = new ArrayList<>(List.of(
                new Purchase("a1", false, NOW.minus(Duration.ofDays(40)), "s1", 10),
                new Purchase("a2", false, NOW.minus(Duration.ofDays(20)), "s1", 10),
                new Purchase("b1", false, lastVisit, "s2", 30),
                new Purchase("b2", false, lastVisit, "s2", 30),
                new Purchase("b3", false, lastVisit, "s2", 30)));
        ChurnScore score = model.score("a", purchases, NOW).orElseThrow();
        assertThat(score.memberValue()).isCloseTo(110, within(1e-9));
        assertThat(score.homeStoreId()).as("three orders at s2 against two at s1 in the last 90 days").isEqualTo("s2");
        assertThat(score.expectedGapDays()).as("visits 40, 20 and 5 days ago: gaps 20 and 15").isCloseTo(17.5, within(1e-9));
        assertThat(score.recencyDays()).isCloseTo(5, within(1e-9));
    }
}
