package io.memberpulse.churn.domain.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Lift at a range of list shares: the churn rate among the top share of members by score over the
 * churn rate of all of them. Read between measured shares by straight-line interpolation; below
 * the smallest share the smallest share's lift, above the largest the largest's.
 */
public record LiftCurve(List<Point> points) {
    /** The shares a model report measures. */
    static final double[] SHARES = {0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};

    public record Point(double share, double lift) {
    }

    public LiftCurve {
        if (points.isEmpty()) {
            throw new IllegalArgumentException("a lift curve needs at least one point");
        }
        points = points.stream().sorted(Comparator.comparingDouble(Point::share)).toList();
    }

    public static LiftCurve measure(double[] scores, int[] labels) {
        List<Point> points = new ArrayList<>(SHARES.length);
        for (double share : SHARES) {
            points.add(new Point(share, BinaryMetrics.liftAt(scores, labels, share)));
        }
        return new LiftCurve(points);
    }

    public double at(double share) {
        Point first = points.get(0);
        if (share <= first.share()) {
            return first.lift();
        }
        for (int i = 1; i < points.size(); i++) {
            Point a = points.get(i - 1);
            Point b = points.get(i);
            if (share <= b.share()) {
                return a.lift() + (b.lift() - a.lift()) * (share - a.share()) / (b.share() - a.share());
            }
        }
        return points.get(points.size() - 1).lift();
    }
}
