package io.memberpulse.campaign.domain.experiment;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which segment to target next: the one whose members surely earned the chain most over the same segment's
 * held-out members per unit of cost (a segment that buys anyway shows no uplift). DOMAIN.md judges campaigns on
 * margin net of coupons, so the ranking is on the gain uplift: each member's gross margin in the window, plus for a
 * treated member the margin of the campaign's coupons they redeemed added back less those coupons' value (what the
 * review's gain − coupon cost sums), treated minus holdout per member (CampaignReview.netGain). A segment of
 * promotion-sensitive members may convert best and earn least. Ranked by the lower bound of that uplift's 95% interval
 * (Welch's, from the per-member variance, as the review's margin uplift), not its point estimate: a 20-against-20
 * segment would otherwise lead a 5,000-member one on noise. The conversion uplift (Newcombe's interval) stays in the
 * answer beside it. Segments with too few members in either arm are left out rather than guessed.
 */
public final class NextTarget {
    private NextTarget() {
    }

    /**
     * @param upliftPerCost        the conversion uplift per unit of cost (the point estimate)
     * @param upliftLowPerCost     the lower bound of its 95% interval per unit of cost (NaN where undefined)
     * @param gainUplift           the net gain uplift per member (CampaignReview.netGain: margin net of coupons), with
     *                             Welch's 95% interval
     * @param gainUpliftPerCost    its point estimate per unit of cost
     * @param gainUpliftLowPerCost the lower bound of its interval per unit of cost: what the ranking uses (NaN where
     *                             the interval is undefined, ranked last)
     */
    public record SegmentUplift(String segmentId, long treated, long holdout, Estimate uplift, double upliftPerCost,
            double upliftLowPerCost, Estimate gainUplift, double gainUpliftPerCost, double gainUpliftLowPerCost) {
    }

    /**
     * One enrolled member as next-targets counts them.
     *
     * @param netGain  CampaignReview.netGain of their window
     * @param segments the segments they were in when enrolled
     */
    public record EnrolledMember(Arm arm, boolean converted, double netGain, List<String> segments) {
        public EnrolledMember {
            segments = List.copyOf(segments);
        }
    }

    /**
     * Each segment's arms: members, converted members, and the summary of their net gains.
     */
    public record SegmentCounts(String segmentId, long treated, long treatedConverted, long holdout, long holdoutConverted,
            Estimate.Summary treatedGain, Estimate.Summary holdoutGain) {
    }

    /** The members' figures per segment they were in when enrolled, by segment id. */
    public static List<SegmentCounts> bySegment(List<EnrolledMember> members) {
        Map<String, List<EnrolledMember>> bySegment = new TreeMap<>();
        for (EnrolledMember member : members) {
            for (String segment : member.segments()) {
                bySegment.computeIfAbsent(segment, s -> new ArrayList<>()).add(member);
            }
        }
        List<SegmentCounts> counts = new ArrayList<>();
        bySegment.forEach((segment, in) -> {
            List<EnrolledMember> treated = in.stream().filter(m -> m.arm() == Arm.TREATED).toList();
            List<EnrolledMember> holdout = in.stream().filter(m -> m.arm() == Arm.HOLDOUT).toList();
            counts.add(new SegmentCounts(segment, treated.size(), treated.stream().filter(EnrolledMember::converted).count(),
                    holdout.size(), holdout.stream().filter(EnrolledMember::converted).count(), gains(treated), gains(holdout)));
        });
        return counts;
    }

    private static Estimate.Summary gains(List<EnrolledMember> members) {
        return Estimate.Summary.of(members.stream().mapToDouble(EnrolledMember::netGain).toArray());
    }

    /**
     * @param costPerTreatedMember what touching (or calling) one member cost in this campaign, coupons aside (they
     *                             are in the net gain)
     * @param minimumPerArm        smallest arm size worth judging
     */
    public static List<SegmentUplift> rank(List<SegmentCounts> segments, double costPerTreatedMember, long minimumPerArm) {
        return segments.stream()
                .filter(s -> s.treated() >= minimumPerArm && s.holdout() >= minimumPerArm)
                .map(s -> {
                    Estimate uplift = Estimate.differenceOfProportions(s.treatedConverted(), s.treated(),
                            s.holdoutConverted(), s.holdout());
                    Estimate gain = Estimate.differenceOfMeans(s.treatedGain(), s.holdoutGain());
                    return new SegmentUplift(s.segmentId(), s.treated(), s.holdout(), uplift,
                            perCost(uplift.value(), costPerTreatedMember), perCost(uplift.low(), costPerTreatedMember),
                            gain, perCost(gain.value(), costPerTreatedMember), perCost(gain.low(), costPerTreatedMember));
                })
                .sorted(Comparator.comparingDouble(NextTarget::rankedBy).reversed()
                        .thenComparing(SegmentUplift::segmentId))
                .toList();
    }

    private static double perCost(double uplift, double costPerTreatedMember) {
        return costPerTreatedMember > 0 ? uplift / costPerTreatedMember : uplift;
    }

    /** The sure net gain uplift per cost; an undefined one last. */
    private static double rankedBy(SegmentUplift segment) {
        return Double.isNaN(segment.gainUpliftLowPerCost()) ? Double.NEGATIVE_INFINITY : segment.gainUpliftLowPerCost();
    }
}
