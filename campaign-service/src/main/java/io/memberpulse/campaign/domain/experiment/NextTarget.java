package io.memberpulse.campaign.domain.experiment;

import java.util.Comparator;
import java.util.List;

/**
 * Which segment to target next: the one whose members responded best to the campaign per unit of
 * cost, measured against the same segment's held-out members (a segment that buys anyway shows no
 * uplift). Segments with too few members in either arm are left out rather than guessed.
 */
public final class NextTarget {
    private NextTarget() {
    }

    public record SegmentUplift(String segmentId, long treated, long holdout, Estimate uplift, double upliftPerCost) {
    }

    /**
     * @param costPerTreatedMember what touching one member cost in this campaign
     * @param minimumPerArm        smallest arm size worth judging
     */
    public static List<SegmentUplift> rank(List<SegmentCounts> segments, double costPerTreatedMember, long minimumPerArm) {
        return segments.stream()
                .filter(s -> s.treated() >= minimumPerArm && s.holdout() >= minimumPerArm)
                .map(s -> {
                    Estimate uplift = Estimate.differenceOfProportions(s.treatedConverted(), s.treated(),
                            s.holdoutConverted(), s.holdout());
                    double perCost = costPerTreatedMember > 0 ? uplift.value() / costPerTreatedMember : uplift.value();
                    return new SegmentUplift(s.segmentId(), s.treated(), s.holdout(), uplift, perCost);
                })
                .sorted(Comparator.comparingDouble(SegmentUplift::upliftPerCost).reversed()
                        .thenComparing(SegmentUplift::segmentId))
                .toList();
    }

    public record SegmentCounts(String segmentId, long treated, long treatedConverted, long holdout, long holdoutConverted) {
    }
}
