package io.memberpulse.rfm.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemberTagsTest {
    static Rfm rfm(int f30, int f90, double m90, double mTotal) {
        return new Rfm("m", Instant.EPOCH, Instant.EPOCH, 3.0, 0, 0, f30, f90, f30, f90, m90 / 3, m90, m90 * 0.3, f90,
                mTotal, "web-france", null);
    }

    @Test
    void tagsCoverBasicBehaviourValueAndRiskFamilies() {
        var tags = MemberTags.fromRfm(rfm(5, 9, 950, 6_000), LifecycleStage.LOYAL, 0.82);
        assertThat(tags).extracting(Tag::family, Tag::name, Tag::value).contains(
                tuple("basic", "home_store", "web-france"),
                tuple("behaviour", "activity_frequency", "weekly"),
                tuple("behaviour", "spend_band", "900+"),
                tuple("value", "tier", "platinum"),
                tuple("value", "loyalty_score", "100"),
                tuple("risk", "churn_probability", "0.820"),
                tuple("risk", "churn_risk", "high"));
    }

    @Test
    void withoutAScoreThereIsNoRiskTagAndBandsFollowTheThresholds() {
        var tags = MemberTags.fromRfm(rfm(0, 1, 250, 150), LifecycleStage.AT_RISK, null);
        assertThat(tags).extracting(Tag::family).doesNotContain("risk");
        assertThat(tags).extracting(Tag::name, Tag::value).contains(
                tuple("activity_frequency", "quarterly"), tuple("spend_band", "<300"), tuple("tier", "bronze"),
                tuple("loyalty_score", "15"));
        assertThat(tags).extracting(Tag::name).doesNotContain("repurchase_cycle_days");
    }

    @Test
    void theRepurchaseCycleIsTheMeanGapBetweenThePurchasesOfTheLast90Days() {
        Instant asOf = Instant.parse("2024-06-30T00:00:00Z");
        Instant day = asOf.minus(Duration.ofDays(20));
        var lines = new ArrayList<>(List.of(
                order("o1", day, 30), order("o1", day.plusSeconds(60), 5), // one order of two lines
                order("o2", day.plus(Duration.ofDays(1)), 20),
                order("o3", day.plus(Duration.ofDays(7)), 40),
                order("old", asOf.minus(Duration.ofDays(90)), 10), // 90 days old: outside, as for F90
                order("later", asOf.plusSeconds(1), 10)));                   // after as-of
        // Three purchases over 7 days: a 3.5-day cycle (rounded to 4), not the 30 of 90 ÷ F90.
        assertThat(RepurchaseCycle.meanGapDays(lines, asOf)).hasValue(4);
        // A fully refunded order is no purchase: two left, seven days apart.
        lines.add(new PurchaseLine("o2", PurchaseLine.Kind.REFUND, day.plus(Duration.ofDays(2)), "s", 0, null, 20, null));
        assertThat(RepurchaseCycle.meanGapDays(lines, asOf)).hasValue(7);
        assertThat(RepurchaseCycle.meanGapDays(lines.subList(0, 2), asOf)).isEmpty();

        Rfm rfm = new RfmCalculator(0.3).compute("m", lines, asOf);
        var tags = MemberTags.of(rfm, LifecycleStage.LOYAL, new MemberHistory(lines, List.of(), null),
                ActivityTags.count(List.of(), asOf), java.time.ZoneOffset.UTC);
        assertThat(tags).extracting(Tag::name, Tag::value).contains(tuple("repurchase_cycle_days", "7"));
    }

    static PurchaseLine order(String orderId, Instant at, double paid) {
        return new PurchaseLine(orderId, PurchaseLine.Kind.ORDER, at, "s", paid, null, 0, "dairy/yogurt");
    }
}
