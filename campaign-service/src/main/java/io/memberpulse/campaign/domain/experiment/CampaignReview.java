package io.memberpulse.campaign.domain.experiment;

import java.util.List;

/**
 * The honest before/after: each arm's conversion (a purchase within the campaign window), order value and revenue
 * per member, the uplifts with 95% intervals, and the ROI of what the campaign cost against the revenue it added
 * over the holdout, with the ROI's 95% interval (from the revenue uplift's: the ROI is not significant where it spans
 * 0). Where an arm is empty, the uplifts, the ROI and its interval are undefined (NaN), as they are where nothing was
 * spent.
 * <p>
 * The campaign's coupon is counted once, as a cost. Revenue is what members paid (paid_amount, net of every
 * discount, this campaign's coupon included, less refunds), so the revenue uplift is net of the coupon; the
 * incremental revenue adds the campaign's redeemed coupons back (revenue before its own coupon, the gain
 * DOMAIN.md's ROI calculator sets against a cost that includes the coupon). A coupon that changes nothing (treated
 * pay ¥90 with a ¥10 coupon, holdout pay ¥100) gains 0 against a cost of ¥10 a redeemer plus the touches: ROI 0, a
 * loss of the coupon and the touches, not twice the coupon.
 */
public record CampaignReview(ArmResult treated, ArmResult holdout, Estimate conversionUplift,
        Estimate revenuePerMemberUplift, double cost, double incrementalRevenue, double roi, double roiLow,
        double roiHigh) {

    /** One member's window: converted = bought at least once; revenue = net spend in the window. */
    public record MemberWindow(Arm arm, int orders, double revenue) {
    }

    public record ArmResult(long members, long converted, double conversionRate, double averageOrderValue,
            double revenuePerMember) {
    }

    /**
     * What the campaign spent: touches of treated members, calls made and its coupons redeemed by treated members
     * (both within the campaign window).
     */
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
        double coupons = costs.couponsRedeemed() * costs.couponValue();
        double cost = treated.members() * costs.costPerTouch() + costs.callsMade() * costs.costPerCall() + coupons;
        boolean bothArms = holdout.members() > 0 && treated.members() > 0;
        // Paid amounts are net of the coupon already: it is added back here and counted in the cost, once.
        double incremental = bothArms ? revenue.value() * treated.members() + coupons : 0;
        // An empty arm measures nothing: no return, not a return of 0 on what was spent. Nothing spent (no call made
        // yet, a free channel): a return on nothing is none, not 0.
        boolean defined = bothArms && cost != 0;
        return new CampaignReview(treated, holdout, conversion, revenue, cost, incremental,
                defined ? incremental / cost : Double.NaN,
                defined ? (revenue.low() * treated.members() + coupons) / cost : Double.NaN,
                defined ? (revenue.high() * treated.members() + coupons) / cost : Double.NaN);
    }

    /**
     * Whether the ROI's interval excludes 0 (false where it is undefined: too few members, nothing spent). An is-getter,
     * so that REST's answer carries it as roiSignificant, as gRPC's roi_significant.
     */
    public boolean isRoiSignificant() {
        return !Double.isNaN(roiLow) && (roiLow > 0 || roiHigh < 0);
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
