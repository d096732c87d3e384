package io.memberpulse.rfm.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DefaultSegmentsTest {
    static Rfm rfm(double recency, int f30, double m30) {
        return rfm(recency, f30, f30, m30);
    }

    /** f30 orders weighing wf30 in all (each order at the default margin rate weighs 1). */
    static Rfm rfm(double recency, int f30, double wf30, double m30) {
        return new Rfm("m", Instant.EPOCH, Instant.EPOCH, recency, 0, 0, f30, f30, wf30, wf30, m30, m30, 0, f30, m30, "s1", null);
    }

    @Test
    void theStoreTargetsOfTheDomainTable() {
        assertThat(DefaultSegments.DEFAULTS.of(rfm(6, 5, 700))).as("tiers: the best members are not potential too")
                .containsExactly(DefaultSegments.HIGH_VALUE_ACTIVE);
        assertThat(DefaultSegments.DEFAULTS.of(rfm(7, 5, 700))).containsExactly(DefaultSegments.POTENTIAL);
        assertThat(DefaultSegments.DEFAULTS.of(rfm(12, 3, 400))).containsExactly(DefaultSegments.POTENTIAL);
        assertThat(DefaultSegments.DEFAULTS.of(rfm(12, 2, 400))).isEmpty();
        assertThat(DefaultSegments.DEFAULTS.of(rfm(20, 1, 200))).containsExactly(DefaultSegments.CHURN_EDGE);
        assertThat(DefaultSegments.DEFAULTS.of(rfm(25, 1, 201))).isEmpty();
    }

    /** DOMAIN.md §2: F is purchase frequency weighted by category margin, high-margin categories weighing more. */
    @Test
    void frequencyThresholdsAreJudgedOnMarginWeightedOrders() {
        // five low-margin orders weighing 2.5: neither high-value active nor potential
        assertThat(DefaultSegments.DEFAULTS.of(rfm(6, 5, 2.5, 700))).isEmpty();
        // three high-margin orders weighing 5: high-value active
        assertThat(DefaultSegments.DEFAULTS.of(rfm(6, 3, 5, 700))).containsExactly(DefaultSegments.HIGH_VALUE_ACTIVE);
        // two orders weighing 3: potential
        assertThat(DefaultSegments.DEFAULTS.of(rfm(10, 2, 3, 400))).containsExactly(DefaultSegments.POTENTIAL);
        // two low-margin orders weighing 0.8 are less than one order at the default rate: at the churn edge
        assertThat(DefaultSegments.DEFAULTS.of(rfm(20, 2, 0.8, 150))).containsExactly(DefaultSegments.CHURN_EDGE);
        assertThat(DefaultSegments.DEFAULTS.of(rfm(20, 1, 1.5, 150))).isEmpty();
    }

    /** Five orders at the default rate weigh five, whatever the ulps of their weights (here 0.9999999999999998 each). */
    @Test
    void ordersAtTheDefaultRateWeighOneEach() {
        var lines = new java.util.ArrayList<PurchaseLine>();
        Instant day = Instant.parse("2026-03-01T00:00:00Z");
        for (int i = 0; i < 5; i++) {
            Instant at = day.plus(java.time.Duration.ofDays(i));
            lines.add(new PurchaseLine("o" + i, PurchaseLine.Kind.ORDER, at, "s1", 107.77, null, 0, "a"));
            lines.add(new PurchaseLine("o" + i, PurchaseLine.Kind.ORDER, at, "s1", 61.1, null, 0, "b"));
        }
        Rfm rfm = new RfmCalculator(0.3).compute("m", lines, day.plus(java.time.Duration.ofDays(5)));
        assertThat(DefaultSegments.DEFAULTS.of(rfm)).containsExactly(DefaultSegments.HIGH_VALUE_ACTIVE);
    }

    @Test
    void churnEdgeEndsWhereTheLifecycleCallsAMemberDormant() {
        assertThat(DefaultSegments.DEFAULTS.of(rfm(179, 0, 0))).containsExactly(DefaultSegments.CHURN_EDGE);
        assertThat(DefaultSegments.DEFAULTS.of(rfm(180, 0, 0))).as("dormant: past the edge").isEmpty();
        assertThat(LifecycleRules.DEFAULTS.stageOf(rfm(180, 0, 0))).isEqualTo(LifecycleStage.DORMANT);
        // Retuning keeps the bound; an edge that would start where members are dormant is refused by name.
        assertThat(DefaultSegments.DEFAULTS.withThresholds(DefaultSegments.CHURN_EDGE, 30, 0, 100).of(rfm(200, 0, 0))).isEmpty();
        assertThatThrownBy(() -> DefaultSegments.DEFAULTS.withThresholds(DefaultSegments.CHURN_EDGE, 180, 1, 200))
                .isInstanceOfSatisfying(InvalidThresholdException.class, e -> assertThat(e)
                        .hasMessage("churn-edge.min-recency-days must be < lifecycle.dormant-days (180): a dormant member is past the edge"));
    }

    @Test
    void configuredThresholdsMoveTheSegments() {
        var stricter = new DefaultSegments(new DefaultSegments.Active(3, 8, 1_000), new DefaultSegments.Active(10, 4, 500),
                new DefaultSegments.Fading(30, 0, 100, 90));
        assertThat(stricter.of(rfm(6, 5, 700))).containsExactly(DefaultSegments.POTENTIAL);
        assertThat(stricter.of(rfm(11, 5, 700))).isEmpty();
        assertThat(stricter.of(rfm(3, 8, 1_000))).containsExactly(DefaultSegments.HIGH_VALUE_ACTIVE);
        assertThat(stricter.of(rfm(20, 1, 200))).isEmpty();
        assertThat(stricter.of(rfm(30, 0, 100))).containsExactly(DefaultSegments.CHURN_EDGE);
        assertThat(stricter.rules()).extracting(SegmentRule::description)
                .containsExactly("R <= 3d and wF30 >= 8 and M30 >= 1000",
                        "R <= 10d and wF30 >= 4 and M30 >= 500 and not high-value-active",
                        "R >= 30d and R < 90d and wF30 <= 0 and M30 <= 100");
    }

    @Test
    void oneSegmentsThresholdsChangeAndTheOthersStay() {
        var retuned = DefaultSegments.DEFAULTS.withThresholds(DefaultSegments.CHURN_EDGE, 30, 0, 100);
        assertThat(retuned.of(rfm(20, 1, 200))).isEmpty();
        assertThat(retuned.of(rfm(30, 0, 100))).containsExactly(DefaultSegments.CHURN_EDGE);
        assertThat(retuned.of(rfm(6, 5, 700))).containsExactly(DefaultSegments.HIGH_VALUE_ACTIVE);
        var easier = DefaultSegments.DEFAULTS.withThresholds(DefaultSegments.HIGH_VALUE_ACTIVE, 10, 2, 100);
        assertThat(easier.of(rfm(9, 2, 150))).containsExactly(DefaultSegments.HIGH_VALUE_ACTIVE);
        assertThat(easier.rules()).extracting(SegmentRule::description).containsExactly("R <= 10d and wF30 >= 2 and M30 >= 100",
                "R <= 12d and wF30 >= 3 and M30 >= 400 and not high-value-active",
                "R >= 20d and R < 180d and wF30 <= 1 and M30 <= 200");
        assertThat(easier.of(rfm(6, 5, 700))).as("high-value active under the easier thresholds: not potential")
                .containsExactly(DefaultSegments.HIGH_VALUE_ACTIVE);
        assertThat(DefaultSegments.DEFAULTS.of(rfm(9, 2, 150))).as("the original is unchanged").isEmpty();
        assertThatThrownBy(() -> DefaultSegments.DEFAULTS.withThresholds(DefaultSegments.POTENTIAL, -1, 3, 400))
                .isInstanceOfSatisfying(InvalidThresholdException.class,
                        e -> assertThat(e.field()).isEqualTo("potential.max-recency-days"));
        assertThatThrownBy(() -> DefaultSegments.DEFAULTS.withThresholds("stage:new", 1, 1, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aThresholdOutOfRangeIsRefusedByName() {
        assertThatThrownBy(() -> new DefaultSegments(new DefaultSegments.Active(6, 0, 700), new DefaultSegments.Active(12, 3, 400),
                new DefaultSegments.Fading(20, 1, 200, 180)))
                .isInstanceOfSatisfying(InvalidThresholdException.class,
                        e -> assertThat(e.field()).isEqualTo("high-value-active.min-orders-30d"));
        assertThatThrownBy(() -> new DefaultSegments(new DefaultSegments.Active(6, 5, 700), new DefaultSegments.Active(12, 3, 400),
                new DefaultSegments.Fading(20, 1, -5, 180)))
                .isInstanceOfSatisfying(InvalidThresholdException.class,
                        e -> assertThat(e.field()).isEqualTo("churn-edge.max-monetary-30d"));
        assertThatThrownBy(() -> new LifecycleRules(40, 45, 6, 600))
                .isInstanceOfSatisfying(InvalidThresholdException.class,
                        e -> assertThat(e.field()).isEqualTo("lifecycle.dormant-days"));
    }

    @Test
    void changesAreTheEntriesAndExitsBetweenTwoMemberships() {
        var changes = SegmentChange.between("m", Set.of("a", "b"), Set.of("b", "c"), Instant.EPOCH, "s1");
        assertThat(changes).extracting(SegmentChange::segmentId, SegmentChange::entered)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("c", true),
                        org.assertj.core.groups.Tuple.tuple("a", false));
    }
}
