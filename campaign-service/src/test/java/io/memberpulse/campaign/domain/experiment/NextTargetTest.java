package io.memberpulse.campaign.domain.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NextTargetTest {
    @Test
    void segmentsAreRankedByUpliftOverTheirOwnHoldoutPerUnitOfCost() {
        var ranked = NextTarget.rank(List.of(
                new NextTarget.SegmentCounts("buys-anyway", 100, 60, 100, 60),
                new NextTarget.SegmentCounts("responds", 100, 40, 100, 20),
                new NextTarget.SegmentCounts("too-small", 5, 5, 5, 0)), 6, 20);
        assertThat(ranked).extracting(NextTarget.SegmentUplift::segmentId).containsExactly("responds", "buys-anyway");
        assertThat(ranked.get(0).upliftPerCost()).isCloseTo(0.2 / 6, org.assertj.core.data.Offset.offset(1e-12));
    }
}
