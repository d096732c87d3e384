package io.memberpulse.rfm.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DefaultSegmentsTest {
    static Rfm rfm(double recency, int f30, double m30) {
        return new Rfm("m", Instant.EPOCH, Instant.EPOCH, recency, 0, 0, f30, f30, f30, f30, m30, m30, 0, f30, m30, "s1");
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
    void changesAreTheEntriesAndExitsBetweenTwoMemberships() {
        var changes = SegmentChange.between("m", Set.of("a", "b"), Set.of("b", "c"), Instant.EPOCH, "s1");
        assertThat(changes).extracting(SegmentChange::segmentId, SegmentChange::entered)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("c", true),
                        org.assertj.core.groups.Tuple.tuple("a", false));
    }
}
