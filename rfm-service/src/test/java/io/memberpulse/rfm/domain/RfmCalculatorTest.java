package io.memberpulse.rfm.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class RfmCalculatorTest {
    static final Instant NOW = Instant.parse("2024-06-30T12:00:00Z");
    final RfmCalculator calculator = new RfmCalculator(0.30);

    static PurchaseLine order(String id, int daysAgo, double paid, Double margin, String store) {
        return new PurchaseLine(id, PurchaseLine.Kind.ORDER, NOW.minus(Duration.ofDays(daysAgo)), store, paid, margin, 0);
    }

    static PurchaseLine refund(String id, int daysAgo, double amount) {
        return new PurchaseLine(id, PurchaseLine.Kind.REFUND, NOW.minus(Duration.ofDays(daysAgo)), "s1", 0, null, amount);
    }

    @Test
    void countsDistinctOrdersInEachRollingWindow() {
        List<PurchaseLine> lines = List.of(
                order("a", 2, 10, null, "s1"), order("a", 2, 5, null, "s1"), // two lines, one order
                order("b", 10, 20, null, "s1"), order("c", 20, 30, null, "s1"), order("d", 60, 40, null, "s2"),
                order("e", 200, 50, null, "s2"));
        Rfm rfm = calculator.compute("m", lines, NOW);
        assertThat(rfm.frequency7d()).isEqualTo(1);
        assertThat(rfm.frequency14d()).isEqualTo(2);
        assertThat(rfm.frequency30d()).isEqualTo(3);
        assertThat(rfm.frequency90d()).isEqualTo(4);
        assertThat(rfm.ordersTotal()).isEqualTo(5);
        assertThat(rfm.recencyDays()).isCloseTo(2.0, within(1e-9));
        assertThat(rfm.monetaryNet30d()).isCloseTo(65, within(1e-9));
        assertThat(rfm.monetaryNet90d()).isCloseTo(105, within(1e-9));
        assertThat(rfm.homeStoreId()).isEqualTo("s1");
    }

    @Test
    void monetaryIsNetOfRefundsAndAFullyRefundedOrderIsNoPurchase() {
        List<PurchaseLine> lines = List.of(order("a", 3, 100, null, "s1"), refund("a", 1, 100),
                order("b", 15, 80, null, "s1"), refund("x", 5, 30));
        Rfm rfm = calculator.compute("m", lines, NOW);
        assertThat(rfm.frequency30d()).isEqualTo(1);
        assertThat(rfm.recencyDays()).isCloseTo(15.0, within(1e-9));
        assertThat(rfm.monetaryNet30d()).isCloseTo(100 + 80 - 100 - 30, within(1e-9));
    }

    @Test
    void moneyIsExactToTheCentSoAThresholdIsMetExactly() {
        // Summed in doubles these gave M = 699.9999999999999: not high-value-active (M30 >= 700).
        List<PurchaseLine> lines = List.of(order("a", 6, 100, null, "s1"), order("b", 5, 100, null, "s1"),
                order("c", 4, 100, null, "s1"), order("d", 3, 100, null, "s1"), order("e", 2, 624.10, null, "s1"),
                refund("e", 1, 324.10));
        Rfm rfm = calculator.compute("m", lines, NOW);
        assertThat(rfm.monetaryNet30d()).isEqualTo(700.0);
        assertThat(rfm.monetaryNet90d()).isEqualTo(700.0);
        assertThat(rfm.monetaryNetTotal()).isEqualTo(700.0);
        assertThat(DefaultSegments.DEFAULTS.of(rfm)).contains(DefaultSegments.HIGH_VALUE_ACTIVE);
        // and the churn edge's M30 <= 200 holds at exactly 200
        Rfm edge = calculator.compute("m", List.of(order("f", 25, 100, null, "s1"), order("f", 25, 224.10, null, "s1"),
                refund("f", 24, 124.10)), NOW); // 200.00000000000003 in doubles
        assertThat(edge.monetaryNet30d()).isEqualTo(200.0);
        assertThat(DefaultSegments.DEFAULTS.of(edge)).contains(DefaultSegments.CHURN_EDGE);
    }

    @Test
    void theSameLinesInEveryOrderGiveTheSameRfm() {
        // Storage keeps no order: a refund may come before its order, an order's lines in any order.
        List<PurchaseLine> lines = List.of(
                order("a", 3, 100, null, "s1"), refund("a", 1, 100), // fully refunded: no purchase
                order("b", 15, 80, 0.5, "s2"), order("b", 15, 20, null, "s1"), refund("b", 10, 50),
                order("c", 40, 30.1, 0.2, "s3"), refund("x", 5, 30)); // a refund of an order not seen
        List<List<PurchaseLine>> orders = new ArrayList<>();
        permutations(new ArrayList<>(lines), 0, orders);
        assertThat(orders).hasSize(5040);
        Rfm first = calculator.compute("m", orders.get(0), NOW);
        for (List<PurchaseLine> order : orders) {
            assertThat(calculator.compute("m", order, NOW)).as("%s", order).isEqualTo(first);
        }
        assertThat(first.ordersTotal()).isEqualTo(2);
        assertThat(first.frequency30d()).isEqualTo(1);
        assertThat(first.recencyDays()).isCloseTo(15.0, within(1e-9));
        assertThat(first.homeStoreId()).isEqualTo("s1"); // b's stores tie at the same instant: the first by name
    }

    static void permutations(List<PurchaseLine> lines, int from, List<List<PurchaseLine>> into) {
        if (from == lines.size()) {
            into.add(List.copyOf(lines));
            return;
        }
        for (int i = from; i < lines.size(); i++) {
            Collections.swap(lines, from, i);
            permutations(lines, from + 1, into);
            Collections.swap(lines, from, i);
        }
    }

    @Test
    void refundsTakeTheirShareOfTheMarginAway() {
        Rfm fullyRefunded = calculator.compute("m", List.of(refund("a", 1, 100), order("a", 3, 100, 0.4, "s1")), NOW);
        assertThat(fullyRefunded.monetaryMargin90d()).isCloseTo(0, within(1e-9));
        assertThat(fullyRefunded.ordersTotal()).isZero();
        assertThat(fullyRefunded.recencyDays()).isNull();

        Rfm halfRefunded = calculator.compute("m", List.of(order("a", 3, 60, 0.4, "s1"), order("a", 3, 40, null, "s1"),
                refund("a", 1, 50)), NOW);
        assertThat(halfRefunded.monetaryMargin90d()).isCloseTo((60 * 0.4 + 40 * 0.30) / 2, within(1e-9));
        assertThat(halfRefunded.ordersTotal()).isEqualTo(1);

        // A refund after asOf has not happened yet.
        Rfm beforeTheRefund = calculator.compute("m", List.of(order("a", 3, 100, 0.4, "s1"), refund("a", 1, 100)),
                NOW.minus(Duration.ofDays(2)));
        assertThat(beforeTheRefund.monetaryMargin90d()).isCloseTo(40, within(1e-9));
    }

    /**
     * A refund of a known order comes off that order, in the window of the order's date, as the margin does: returning
     * last quarter's ¥1,000 order 10 days ago leaves this quarter's ¥300 order as M30 and M90, not -700. A refund whose
     * order is not known (Online Retail's "C..." invoices) still counts at its own date.
     */
    @Test
    void aRefundComesOffItsOrderInTheWindowOfTheOrdersDate() {
        Rfm rfm = calculator.compute("m", List.of(order("a", 100, 1000, null, "s1"), refund("a", 10, 1000),
                order("b", 20, 300, null, "s1")), NOW);
        assertThat(rfm.monetaryNet30d()).isEqualTo(300.0);
        assertThat(rfm.monetaryNet90d()).isEqualTo(300.0);
        assertThat(rfm.monetaryMargin90d()).isEqualTo(90.0); // 300 at the default 0.30: the same orders as M90
        assertThat(rfm.monetaryNetTotal()).isEqualTo(300.0);

        // a refund arriving later takes back what its order gave the window it was placed in
        Rfm partly = calculator.compute("m", List.of(order("b", 20, 300, null, "s1"), refund("b", 1, 100),
                order("c", 40, 50, null, "s1"), refund("c", 35, 20)), NOW);
        assertThat(partly.monetaryNet30d()).isEqualTo(200.0);
        assertThat(partly.monetaryNet90d()).isEqualTo(230.0);
        assertThat(partly.monetaryMargin90d()).isEqualTo(69.0);

        // a refund of an order not known: at its own date
        Rfm unknown = calculator.compute("m", List.of(order("b", 20, 300, null, "s1"), refund("Cb", 10, 100),
                refund("Cz", 60, 40)), NOW);
        assertThat(unknown.monetaryNet30d()).isEqualTo(200.0);
        assertThat(unknown.monetaryNet90d()).isEqualTo(160.0);
        assertThat(unknown.monetaryNetTotal()).isEqualTo(160.0);
    }

    static PurchaseLine line(String id, PurchaseLine.Kind kind, int daysAgo, double paid, Double margin, double refunded,
            String category) {
        return new PurchaseLine(id, kind, NOW.minus(Duration.ofDays(daysAgo)), "s1", paid, margin, refunded, category);
    }

    /**
     * A partial refund takes back the refunded line's own margin: tobacco at 0.08 and cosmetics at 0.60, the cosmetics
     * returned, leaves the tobacco's 8 (not half of 68), and the order weighs in wF as the tobacco it now is.
     */
    @Test
    void aPartialRefundTakesBackTheMarginOfWhatWasReturned() {
        Rfm own = calculator.compute("m", List.of(
                line("a", PurchaseLine.Kind.ORDER, 3, 100, 0.08, 0, "tobacco"),
                line("a", PurchaseLine.Kind.ORDER, 3, 100, 0.60, 0, "cosmetics"),
                line("a", PurchaseLine.Kind.REFUND, 1, 0, 0.60, 100, "cosmetics")), NOW);
        assertThat(own.monetaryMargin90d()).isEqualTo(8.0);
        assertThat(own.weightedFrequency30d()).isCloseTo(0.08 / 0.30, within(1e-9));
        assertThat(own.monetaryNet30d()).isEqualTo(100.0);

        // a refund without a rate, at its category's configured rate
        RfmCalculator byCategory = new RfmCalculator(MarginRates.parse(0.30, "tobacco:0.08,cosmetics:0.60"));
        Rfm categoryRate = byCategory.compute("m", List.of(
                line("a", PurchaseLine.Kind.ORDER, 3, 100, null, 0, "tobacco"),
                line("a", PurchaseLine.Kind.ORDER, 3, 100, null, 0, "cosmetics"),
                line("a", PurchaseLine.Kind.REFUND, 1, 0, null, 100, "cosmetics")), NOW);
        assertThat(categoryRate.monetaryMargin90d()).isEqualTo(8.0);
        assertThat(categoryRate.weightedFrequency30d()).isCloseTo(0.08 / 0.30, within(1e-9));

        // neither: pro rata, as before (half the margin, the order's weight unchanged)
        Rfm proRata = byCategory.compute("m", List.of(
                line("a", PurchaseLine.Kind.ORDER, 3, 100, null, 0, "tobacco"),
                line("a", PurchaseLine.Kind.ORDER, 3, 100, null, 0, "cosmetics"),
                line("a", PurchaseLine.Kind.REFUND, 1, 0, null, 100, "bakery")), NOW);
        assertThat(proRata.monetaryMargin90d()).isEqualTo(34.0);
        assertThat(proRata.weightedFrequency30d()).isCloseTo(0.34 / 0.30, within(1e-9));
    }

    @Test
    void highMarginOrdersWeighMoreThanLowMarginOnes() {
        Rfm rfm = calculator.compute("m", List.of(order("a", 1, 100, 0.6, "s1"), order("b", 2, 100, 0.15, "s1"),
                order("c", 3, 100, null, "s1")), NOW);
        assertThat(rfm.weightedFrequency30d()).isCloseTo(2.0 + 0.5 + 1.0, within(1e-9));
        assertThat(rfm.monetaryMargin90d()).isCloseTo(60 + 15 + 30, within(1e-9));
    }

    /** A till that sends no margins: the category's configured rate weighs the order (DOMAIN.md, F by category). */
    @Test
    void ordersWithoutAMarginRateWeighByTheirCategorysRate() {
        RfmCalculator byCategory = new RfmCalculator(MarginRates.parse(0.30, "dairy:0.60,tobacco:0.15"));
        Rfm rfm = byCategory.compute("m", List.of(
                new PurchaseLine("a", PurchaseLine.Kind.ORDER, NOW.minus(Duration.ofDays(1)), "s1", 100, null, 0,
                        "dairy/yogurt"),
                new PurchaseLine("b", PurchaseLine.Kind.ORDER, NOW.minus(Duration.ofDays(2)), "s1", 100, null, 0,
                        "tobacco"),
                new PurchaseLine("c", PurchaseLine.Kind.ORDER, NOW.minus(Duration.ofDays(3)), "s1", 100, null, 0,
                        "bakery")), NOW);
        assertThat(rfm.weightedFrequency30d()).isCloseTo(2.0 + 0.5 + 1.0, within(1e-9));
        assertThat(rfm.monetaryMargin90d()).isCloseTo(60 + 15 + 30, within(1e-9));
    }

    @Test
    void nothingAfterAsOfCounts() {
        List<PurchaseLine> lines = List.of(order("a", 40, 10, null, "s1"), order("b", 5, 99, null, "s1"));
        Rfm past = calculator.compute("m", lines, NOW.minus(Duration.ofDays(30)));
        assertThat(past.ordersTotal()).isEqualTo(1);
        assertThat(past.recencyDays()).isCloseTo(10.0, within(1e-9));
        assertThat(past.monetaryNetTotal()).isCloseTo(10, within(1e-9));
    }

    @Test
    void aMemberWhoNeverBoughtHasNoRecency() {
        Rfm rfm = calculator.compute("m", List.of(), NOW);
        assertThat(rfm.recencyDays()).isNull();
        assertThat(DefaultSegments.DEFAULTS.of(rfm)).isEmpty();
    }

    @Test
    void timeAloneMovesAMemberIntoChurnEdge() {
        List<PurchaseLine> lines = List.of(order("a", 0, 150, null, "s1"));
        assertThat(DefaultSegments.DEFAULTS.of(calculator.compute("m", lines, NOW.plus(Duration.ofDays(19)))))
                .doesNotContain(DefaultSegments.CHURN_EDGE);
        assertThat(DefaultSegments.DEFAULTS.of(calculator.compute("m", lines, NOW.plus(Duration.ofDays(20)))))
                .containsExactly(DefaultSegments.CHURN_EDGE);
    }

    @Test
    void agingARowMovesOnlyRAndEqualsARecomputationUntilAWindowBoundaryIsCrossed() {
        List<PurchaseLine> lines = List.of(order("a", 25, 80, null, "s1"), order("b", 100, 40, 0.5, "s2"));
        Rfm now = calculator.compute("m", lines, NOW);
        Instant hoursLater = NOW.plus(Duration.ofHours(30));
        assertThat(now.agedTo(hoursLater)).isEqualTo(calculator.compute("m", lines, hoursLater));
        assertThat(now.agedTo(hoursLater).recencyDays()).isCloseTo(26.25, within(1e-9));
        // Six days on, order "a" leaves the 30-day window: ageing alone no longer tells the truth.
        Instant weekLater = NOW.plus(Duration.ofDays(6));
        assertThat(now.agedTo(weekLater)).isNotEqualTo(calculator.compute("m", lines, weekLater));
        assertThat(now.agedTo(NOW.minusSeconds(1))).isSameAs(now);
    }
}
