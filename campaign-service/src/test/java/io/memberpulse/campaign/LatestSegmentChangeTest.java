package io.memberpulse.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.campaign.store.MemberSegmentRepository.Change;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A batch of member.segments applies each member's latest change per segment, whatever came with it. */
class LatestSegmentChangeTest {
    static final Instant T = Instant.parse("2025-06-01T00:00:00Z");

    @Test
    void aMemberWhoLeftAndCameBackWithinOneBatchIsInTheSegment() {
        Change left = new Change("m", "churn-edge", false, T.plusSeconds(60), "s1");
        Change back = new Change("m", "churn-edge", true, T.plusSeconds(120), "s1");
        Change other = new Change("m", "potential", true, T, "s1");
        Change someoneElse = new Change("n", "churn-edge", false, T, "s2");
        assertThat(RecordSegmentsService.latestPerMembership(List.of(left, other, back, someoneElse)))
                .containsExactly(back, other, someoneElse);
        // Out of order in the batch: the later change in time still wins; a tie goes to the later record.
        assertThat(RecordSegmentsService.latestPerMembership(List.of(back, left))).containsExactly(back);
        Change sameTime = new Change("m", "churn-edge", false, T.plusSeconds(120), "s1");
        assertThat(RecordSegmentsService.latestPerMembership(List.of(back, sameTime))).containsExactly(sameTime);
    }
}
