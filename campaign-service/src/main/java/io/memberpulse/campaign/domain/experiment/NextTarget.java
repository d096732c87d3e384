package io.memberpulse.campaign.domain.experiment;

import java.util.Comparator;
import java.util.List;

/**
 * Which segment to target next: the one whose members surely responded best to the campaign per unit of cost,
 * measured against the same segment's held-out members (a segment that buys anyway shows no uplift). Ranked by the
 * lower bound of the conversion uplift's 95% interval, not its point estimate: a 20-against-20 segment at +0.15 ± 0.30
 * would otherwise lead a 5,000-member segment at a sure +0.08, on noise. Segments with too few members in either arm
 * are left out rather than guessed.
 */
public final class NextTarget {
    private NextTarget() {
    }

    /**
     * @param upliftPerCost    the conversion uplift per unit of cost (the point estimate)
     * @param upliftLowPerCost the lower bound of its 95% interval per unit of cost: what the ranking uses (NaN where
     *                         the interval is undefined, ranked last)
     */
    public record SegmentUplift(String segmentId, long treated, long holdout, Estimate uplift, double upliftPerCost,
            double upliftLowPerCost) {
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
                    return new SegmentUplift(s.segmentId(), s.treated(), s.holdout(), uplift,
                            perCost(uplift.value(), costPerTreatedMember), perCost(uplift.low(), costPerTreatedMember));
                })
                .sorted(Comparator.comparingDouble(NextTarget::rankedBy).reversed()
                        .thenComparing(SegmentUplift::segmentId))
                .toList();
    }

    private static double perCost(double uplift, double costPerTreatedMember) {
        return costPerTreatedMember > 0 ? uplift / costPerTreatedMember : uplift;
    }

    /** The sure uplift per cost; an undefined one last. */
    private static double rankedBy(SegmentUplift segment) {
        return Double.isNaN(segment.upliftLowPerCost()) ? Double.NEGATIVE_INFINITY : segment.upliftLowPerCost();
    }

    public record SegmentCounts(String segmentId, long treated, long treatedConverted, long holdout, long holdoutConverted) {
    }
}
