package io.memberpulse.rfm.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DefaultSegmentsTest {
    static Rfm rfm(double recency, int f30, double m30) {
        return new Rfm("m", Instant.EPOCH, Instant.EPOCH, recency, 0, 0, f30, f30, f30, f30, m30, m30, 0, f30, m30, "s1", null);
    }

    @Test
    void theStoreTargetsOfTheDomainTable() {
        assertThat(DefaultSegments.DEFAULTS.of(rfm(6, 5, 700))).containsExactlyInAnyOrder(
                DefaultSegments.HIGH_VALUE_ACTIVE, DefaultSegments.POTENTIAL);
        assertThat(DefaultSegments.DEFAULTS.of(rfm(7, 5, 700))).containsExactly(DefaultSegments.POTENTIAL);
        assertThat(DefaultSegments.DEFAULTS.of(rfm(12, 3, 400))).containsExactly(DefaultSegments.POTENTIAL);
        assertThat(DefaultSegments.DEFAULTS.of(rfm(12, 2, 400))).isEmpty();
        assertThat(DefaultSegments.DEFAULTS.of(rfm(20, 1, 200))).containsExactly(DefaultSegments.CHURN_EDGE);
        assertThat(DefaultSegments.DEFAULTS.of(rfm(25, 1, 201))).isEmpty();
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
        assertThat(stricter.of(rfm(3, 8, 1_000))).containsExactlyInAnyOrder(DefaultSegments.HIGH_VALUE_ACTIVE,
                DefaultSegments.POTENTIAL);
        assertThat(stricter.of(rfm(20, 1, 200))).isEmpty();
        assertThat(stricter.of(rfm(30, 0, 100))).containsExactly(DefaultSegments.CHURN_EDGE);
        assertThat(stricter.rules()).extracting(SegmentRule::description)
                .containsExactly("R <= 3d and F30 >= 8 and M30 >= 1000", "R <= 10d and F30 >= 4 and M30 >= 500",
                        "R >= 30d and R < 90d and F30 <= 0 and M30 <= 100");
    }

    @Test
    void oneSegmentsThresholdsChangeAndTheOthersStay() {
        var retuned = DefaultSegments.DEFAULTS.withThresholds(DefaultSegments.CHURN_EDGE, 30, 0, 100);
        assertThat(retuned.of(rfm(20, 1, 200))).isEmpty();
        assertThat(retuned.of(rfm(30, 0, 100))).containsExactly(DefaultSegments.CHURN_EDGE);
        assertThat(retuned.of(rfm(6, 5, 700))).containsExactlyInAnyOrder(DefaultSegments.HIGH_VALUE_ACTIVE,
                DefaultSegments.POTENTIAL);
        var easier = DefaultSegments.DEFAULTS.withThresholds(DefaultSegments.HIGH_VALUE_ACTIVE, 10, 2, 100);
        assertThat(easier.of(rfm(9, 2, 150))).containsExactly(DefaultSegments.HIGH_VALUE_ACTIVE);
        assertThat(easier.rules()).extracting(SegmentRule::description).containsExactly("R <= 10d and F30 >= 2 and M30 >= 100",
                "R <= 12d and F30 >= 3 and M30 >= 400", "R >= 20d and R < 180d and F30 <= 1 and M30 <= 200");
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
