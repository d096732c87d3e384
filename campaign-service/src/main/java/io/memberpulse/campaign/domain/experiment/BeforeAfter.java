package io.memberpulse.campaign.domain.experiment;

import java.util.List;

/**
 * The before/after review of DOMAIN.md section 4 made honest: each metric in the window before the
 * campaign and during it, for the treated members and for the holdout. The uplift is treated − holdout
 * during the campaign (95% interval), the campaign's effect; the difference-in-differences shows the
 * same after removing whatever gap the arms had before.
 */
public record BeforeAfter(List<Metric> metrics, double roi) {

    public BeforeAfter {
        metrics = List.copyOf(metrics);
    }

    /** @param uplift treated − holdout during the campaign; its interval is NaN where none is defined */
    public record Metric(String name, double treatedBefore, double treatedAfter, double holdoutBefore, double holdoutAfter,
            Estimate uplift, double differenceInDifferences) {

        Metric withoutDifferenceInDifferences() {
            return new Metric(name, treatedBefore, treatedAfter, holdoutBefore, holdoutAfter, uplift, Double.NaN);
        }
    }

    public static BeforeAfter of(List<Activity.Member> before, List<Activity.Member> after, double roi) {
        Activity.Arms b = Activity.arms(before);
        Activity.Arms a = Activity.arms(after);
        return new BeforeAfter(List.of(
                metric("active_rate", b.treated().conversionRate(), a.treated().conversionRate(), b.holdout().conversionRate(),
                        a.holdout().conversionRate(), a.conversionUplift()),
                metric("repurchase_rate", b.treated().repurchaseRate(), a.treated().repurchaseRate(),
                        b.holdout().repurchaseRate(), a.holdout().repurchaseRate(), a.repurchaseUplift()),
                orderValue(b, a, orderValueUplift(after)),
                metric("response_rate", b.treated().participationRate(), a.treated().participationRate(),
                        b.holdout().participationRate(), a.holdout().participationRate(),
                        Estimate.differenceOfProportions(a.treated().participated(), a.treated().members(),
                                a.holdout().participated(), a.holdout().members()))), roi);
    }

    private static Metric metric(String name, double tb, double ta, double hb, double ha, Estimate uplift) {
        return new Metric(name, tb, ta, hb, ha, uplift, (ta - tb) - (ha - hb));
    }

    /**
     * The average order value of a window without orders is shown as 0 but is none: the difference-in-differences
     * is only defined when each arm ordered in both windows (else it would count the 0 as a value).
     */
    private static Metric orderValue(Activity.Arms b, Activity.Arms a, Estimate uplift) {
        Metric metric = metric("order_value", b.treated().averageOrderValue(), a.treated().averageOrderValue(),
                b.holdout().averageOrderValue(), a.holdout().averageOrderValue(), uplift);
        boolean everyWindowOrdered = b.treated().orders() > 0 && a.treated().orders() > 0 && b.holdout().orders() > 0
                && a.holdout().orders() > 0;
        return everyWindowOrdered ? metric : metric.withoutDifferenceInDifferences();
    }

    /**
     * The difference of the pooled average order values the review shows (each arm's net revenue over its orders),
     * not of each member's own average: one member's 4 orders weigh 4 times in the value shown, so they do here.
     * Members with neither an order nor revenue in the window add nothing to either sum and are left out.
     */
    private static Estimate orderValueUplift(List<Activity.Member> after) {
        return Estimate.differenceOfRatios(orderValues(after, Arm.TREATED), orderValues(after, Arm.HOLDOUT));
    }

    private static Estimate.Ratio orderValues(List<Activity.Member> members, Arm arm) {
        List<Activity.Member> active = members.stream().filter(m -> m.arm() == arm && (m.orders() > 0 || m.revenue() != 0))
                .toList();
        return Estimate.Ratio.of(active.stream().mapToDouble(Activity.Member::revenue).toArray(),
                active.stream().mapToDouble(Activity.Member::orders).toArray());
    }
}
