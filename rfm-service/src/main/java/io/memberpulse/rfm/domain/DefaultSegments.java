package io.memberpulse.rfm.domain;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The segments of the store-target table (shared/docs/DOMAIN.md §2): F = the margin-weighted net orders within 30 days
 * (wF30, {@link Rfm#weightedFrequency30d}: an order at the default margin rate weighs 1, a high-margin one more, as
 * DOMAIN.md defines F), M = net spend within 30 days. The bands are tiers: potential leaves out the members who are
 * high-value active, so the two sizes do not count the best members twice and a repurchase incentive aimed at
 * potential does not subsidise them. The thresholds come from configuration ({@link #DEFAULTS} are
 * DOMAIN.md's) and can be changed while running ({@link #withThresholds}); a member who never bought
 * is in none. Churn edge ends where the lifecycle's dormant stage begins: a member who lapsed long ago
 * is past the edge (a re-marketing or retirement case), not about to churn, and a campaign targeting the
 * edge should not reach them.
 */
public final class DefaultSegments {
    public static final String HIGH_VALUE_ACTIVE = "high-value-active";
    public static final String POTENTIAL = "potential";
    public static final String CHURN_EDGE = "churn-edge";

    /** At most this recent, at least this many (margin-weighted) orders and this much spend within 30 days. */
    public record Active(double maxRecencyDays, int minOrders30d, double minMonetary30d) {
    }

    /**
     * At least this long without a purchase but not yet dormant (the lifecycle's dormant-days, not changed
     * here), at most this many (margin-weighted) orders and this much spend within 30 days.
     */
    public record Fading(double minRecencyDays, int maxOrders30d, double maxMonetary30d, double dormantDays) {
    }

    public static final DefaultSegments DEFAULTS = new DefaultSegments(new Active(6, 5, 700), new Active(12, 3, 400),
            new Fading(20, 1, 200, LifecycleRules.DEFAULTS.dormantDays()));

    private final Active highValueActive;
    private final Active potential;
    private final Fading churnEdge;
    private final List<SegmentRule> rules;

    /** Throws InvalidThresholdException naming the first threshold out of range. */
    public DefaultSegments(Active highValueActive, Active potential, Fading churnEdge) {
        this.highValueActive = highValueActive;
        this.potential = potential;
        this.churnEdge = churnEdge;
        check("high-value-active", highValueActive);
        check("potential", potential);
        require(churnEdge.minRecencyDays() >= 0, "churn-edge.min-recency-days", "must be >= 0");
        require(churnEdge.minRecencyDays() < churnEdge.dormantDays(), "churn-edge.min-recency-days",
                "must be < lifecycle.dormant-days (" + num(churnEdge.dormantDays()) + "): a dormant member is past the edge");
        require(churnEdge.maxOrders30d() >= 0, "churn-edge.max-orders-30d", "must be >= 0");
        require(churnEdge.maxMonetary30d() >= 0, "churn-edge.max-monetary-30d", "must be >= 0");
        require(Double.isFinite(churnEdge.maxMonetary30d()), "churn-edge.max-monetary-30d", "must be a finite number");
        this.rules = List.of(
                new SegmentRule(HIGH_VALUE_ACTIVE, "High-value active", describe(highValueActive), r -> holds(highValueActive, r)),
                new SegmentRule(POTENTIAL, "Potential", describe(potential) + " and not " + HIGH_VALUE_ACTIVE,
                        r -> holds(potential, r) && !holds(highValueActive, r)),
                new SegmentRule(CHURN_EDGE, "Churn edge", String.format(java.util.Locale.ROOT,
                        "R >= %sd and R < %sd and wF30 <= %d and M30 <= %s", num(churnEdge.minRecencyDays()),
                        num(churnEdge.dormantDays()), churnEdge.maxOrders30d(), num(churnEdge.maxMonetary30d())),
                        r -> bought(r) && r.recencyDays() >= churnEdge.minRecencyDays() && r.recencyDays() < churnEdge.dormantDays()
                                && weightedOrders30d(r) <= churnEdge.maxOrders30d() && r.monetaryNet30d() <= churnEdge.maxMonetary30d()));
    }

    public List<SegmentRule> rules() {
        return rules;
    }

    /**
     * These segments with one segment's three thresholds replaced: for high-value-active and potential
     * the most days since the last purchase, the fewest orders and the least spend within 30 days; for
     * churn-edge the fewest days, the most orders and the most spend. Throws InvalidThresholdException
     * naming a threshold out of range, IllegalArgumentException for a segment that is not one of these.
     */
    public DefaultSegments withThresholds(String segmentId, double recencyDays, int orders30d, double monetary30d) {
        return switch (segmentId) {
            case HIGH_VALUE_ACTIVE -> new DefaultSegments(new Active(recencyDays, orders30d, monetary30d), potential, churnEdge);
            case POTENTIAL -> new DefaultSegments(highValueActive, new Active(recencyDays, orders30d, monetary30d), churnEdge);
            case CHURN_EDGE -> new DefaultSegments(highValueActive, potential,
                    new Fading(recencyDays, orders30d, monetary30d, churnEdge.dormantDays()));
            default -> throw new IllegalArgumentException(segmentId + " is not a default segment");
        };
    }

    public Set<String> of(Rfm rfm) {
        Set<String> segments = new LinkedHashSet<>();
        for (SegmentRule rule : rules) {
            if (rule.matches(rfm)) {
                segments.add(rule.id());
            }
        }
        return segments;
    }

    public static boolean isDefault(String segmentId) {
        return HIGH_VALUE_ACTIVE.equals(segmentId) || POTENTIAL.equals(segmentId) || CHURN_EDGE.equals(segmentId);
    }

    private static boolean holds(Active threshold, Rfm r) {
        return bought(r) && r.recencyDays() <= threshold.maxRecencyDays() && weightedOrders30d(r) >= threshold.minOrders30d()
                && r.monetaryNet30d() >= threshold.minMonetary30d();
    }

    /**
     * wF30 to a millionth of an order: a weight is a ratio of doubles (0.3 x paid / paid / 0.3), so five orders at the
     * default rate can sum to 4.999999999999999 and must still meet "wF30 >= 5".
     */
    private static double weightedOrders30d(Rfm r) {
        return Math.round(r.weightedFrequency30d() * 1e6) / 1e6;
    }

    private static void check(String segment, Active threshold) {
        require(threshold.maxRecencyDays() >= 0, segment + ".max-recency-days", "must be >= 0");
        require(threshold.minOrders30d() >= 1, segment + ".min-orders-30d", "must be >= 1");
        require(threshold.minMonetary30d() >= 0, segment + ".min-monetary-30d", "must be >= 0");
        // JSON 1e400 reads as infinity, which >= 0 lets through: a rule "M30 >= Infinity" nobody can meet.
        require(Double.isFinite(threshold.maxRecencyDays()), segment + ".max-recency-days", "must be a finite number");
        require(Double.isFinite(threshold.minMonetary30d()), segment + ".min-monetary-30d", "must be a finite number");
    }

    private static String describe(Active threshold) {
        return String.format(java.util.Locale.ROOT, "R <= %sd and wF30 >= %d and M30 >= %s", num(threshold.maxRecencyDays()),
                threshold.minOrders30d(), num(threshold.minMonetary30d()));
    }

    private static String num(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    private static void require(boolean holds, String field, String reason) {
        if (!holds) {
            throw new InvalidThresholdException(field, reason);
        }
    }

    private static boolean bought(Rfm rfm) {
        return rfm.bought();
    }
}
