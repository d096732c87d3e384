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

    /**
     * A 20-against-20 segment at +0.15 (8 of 20 against 5 of 20, Newcombe's interval some ±0.28) against a
     * 5,000-member one at a sure +0.08 (30% against 22%): ranked by the point estimate the small noisy segment led; by
     * the interval's lower bound the large one does, and the answer says what the ranking used.
     */
    @Test
    void smallNoisySegmentsDoNotLeadTheRanking() {
        var ranked = NextTarget.rank(List.of(
                new NextTarget.SegmentCounts("noisy", 20, 8, 20, 5),
                new NextTarget.SegmentCounts("large", 5000, 1500, 5000, 1100)), 6, 20);
        assertThat(ranked).extracting(NextTarget.SegmentUplift::segmentId).containsExactly("large", "noisy");
        assertThat(ranked.get(0).uplift().low()).isPositive();
        assertThat(ranked.get(1).uplift().low()).isNegative();
        assertThat(ranked.get(0).upliftLowPerCost())
                .isCloseTo(ranked.get(0).uplift().low() / 6, org.assertj.core.data.Offset.offset(1e-12));
    }
}
