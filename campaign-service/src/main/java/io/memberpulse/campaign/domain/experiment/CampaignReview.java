package io.memberpulse.campaign.domain.experiment;

import java.util.List;

/**
 * The honest before/after: each arm's conversion (a purchase within the campaign window), order
 * value and revenue per member, the uplifts with 95% intervals, and the ROI of what the campaign cost
 * against the revenue it added over the holdout. Where an arm is empty, the uplifts and the ROI are undefined (NaN),
 * as the ROI is where nothing was spent.
 */
public record CampaignReview(ArmResult treated, ArmResult holdout, Estimate conversionUplift,
        Estimate revenuePerMemberUplift, double cost, double incrementalRevenue, double roi) {

    /** One member's window: converted = bought at least once; revenue = net spend in the window. */
    public record MemberWindow(Arm arm, int orders, double revenue) {
    }

    public record ArmResult(long members, long converted, double conversionRate, double averageOrderValue,
            double revenuePerMember) {
    }

    /** What the campaign spent: touches of treated members, calls made, coupons redeemed. */
    public record Costs(double costPerTouch, long callsMade, double costPerCall, long couponsRedeemed, double couponValue) {
    }

    public static CampaignReview of(List<MemberWindow> members, Costs costs) {
        double[] treatedRevenue = members.stream().filter(m -> m.arm() == Arm.TREATED).mapToDouble(MemberWindow::revenue).toArray();
        double[] holdoutRevenue = members.stream().filter(m -> m.arm() == Arm.HOLDOUT).mapToDouble(MemberWindow::revenue).toArray();
        ArmResult treated = arm(members, Arm.TREATED);
        ArmResult holdout = arm(members, Arm.HOLDOUT);
        Estimate conversion = Estimate.differenceOfProportions(treated.converted(), treated.members(),
                holdout.converted(), holdout.members());
        Estimate revenue = Estimate.differenceOfMeans(Estimate.Summary.of(treatedRevenue), Estimate.Summary.of(holdoutRevenue));
        double cost = treated.members() * costs.costPerTouch() + costs.callsMade() * costs.costPerCall()
                + costs.couponsRedeemed() * costs.couponValue();
        boolean bothArms = holdout.members() > 0 && treated.members() > 0;
        double incremental = bothArms ? revenue.value() * treated.members() : 0;
        // An empty arm measures nothing: no return, not a return of 0 on what was spent. Nothing spent (no call made
        // yet, a free channel): a return on nothing is none, not 0.
        return new CampaignReview(treated, holdout, conversion, revenue, cost, incremental,
                !bothArms || cost == 0 ? Double.NaN : incremental / cost);
    }

    private static ArmResult arm(List<MemberWindow> members, Arm arm) {
        long n = 0, converted = 0, orders = 0;
        double revenue = 0;
        for (MemberWindow member : members) {
            if (member.arm() != arm) {
                continue;
            }
            n++;
            converted += member.orders() > 0 ? 1 : 0;
            orders += member.orders();
            revenue += member.revenue();
        }
        return new ArmResult(n, converted, n == 0 ? 0 : (double) converted / n, orders == 0 ? 0 : revenue / orders,
                n == 0 ? 0 : revenue / n);
    }
}
