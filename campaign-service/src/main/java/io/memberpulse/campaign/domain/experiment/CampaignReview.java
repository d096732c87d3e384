package io.memberpulse.campaign.domain.experiment;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * The honest before/after: each arm's conversion (a purchase within the campaign window), order value, revenue and
 * gross margin per member, the uplifts with 95% intervals, and the ROI of what the campaign cost against the gross
 * margin it added over the holdout, with the ROI's 95% interval (from the margin uplift's). The ROI is gain / cost, so
 * break-even is 1, not 0: the ROI is significant where its interval lies wholly above 1 (the campaign pays back) or
 * wholly below (it loses part of what it spent), not where it spans 1. Where an arm is empty, the uplifts, the ROI and its interval are undefined (NaN), as they are
 * where nothing was spent.
 * <p>
 * The gain is margin, not revenue (DOMAIN.md prices a campaign with the net value per won-back member): a ¥100 sale
 * at a 30% margin earns the chain ¥30, and setting ¥100 against the cost overstated the ROI some 3.3 times. Each
 * line's margin is its amount times its margin_rate, else its category's rate (CategoryMarginRates), else the default
 * rate.
 * <p>
 * The campaign's coupon is counted once, as a cost. Revenue is what members paid (paid_amount, net of every
 * discount, this campaign's coupon included, less refunds), so the revenue and margin uplifts are net of the coupon.
 * The incremental revenue adds the campaign's redeemed coupons back (revenue before its own coupon), but for coupons
 * used on orders refunded in full by the window's end (their sale did not stand; their cost stays); the gain adds
 * back their margin (the margin before the coupon), since the coupon's full value is in the cost: each coupon at the
 * rate of the order it was used on (RedeemedCoupons), at the default rate where that order is not known. A coupon
 * that changes nothing (treated pay ¥90 with a ¥10 coupon, holdout pay ¥100, all at the default rate)
 * gains 0 against a cost of ¥10 a redeemer plus the touches: ROI 0, a loss of the coupon and the touches, not twice
 * the coupon.
 *
 * @param revenuePerMemberUplift what treated members paid more than held-out ones, per member
 * @param marginPerMemberUplift  the gross margin of what they paid more, per member
 * @param incrementalRevenue     revenue uplift × treated members + the redeemed coupons' value
 * @param incrementalGain        margin uplift × treated members + each redeemed coupon's value × its order's margin
 *                               rate (the default where its order is not known)
 * @param roi                    incrementalGain / cost (on gross margin)
 * @param variants               each treatment variant's treated members against the whole holdout
 * @param excludedForOverlap     members a call campaign did not enrol, in neither arm, because another call campaign
 *                               whose window overlaps its own had enrolled them first (README, overlapping call
 *                               campaigns); 0 for any other campaign
 */
public record CampaignReview(ArmResult treated, ArmResult holdout, Estimate conversionUplift,
        Estimate revenuePerMemberUplift, Estimate marginPerMemberUplift, double cost, double incrementalRevenue,
        double incrementalGain, double roi, double roiLow, double roiHigh, List<VariantResult> variants,
        long excludedForOverlap) {

    public CampaignReview {
        variants = List.copyOf(variants);
    }

    /**
     * One member's window: converted = bought at least once; revenue = net spend in the window, of which
     * revenueWithoutRate came on lines that carry no margin rate and whose category has none configured;
     * marginOfRatedLines = the gross margin of the others (each line's amount times its own rate, else its category's;
     * a refund takes back margin at its order's rate).
     *
     * @param variant the treatment variant a treated member was enrolled with (a campaign without variants has one,
     *                Assignment.DEFAULT_VARIANT, which stands in for a missing one); none (null) for a held-out member
     */
    public record MemberWindow(Arm arm, int orders, double revenue, double marginOfRatedLines, double revenueWithoutRate,
            String variant) {

        public MemberWindow {
            variant = arm == Arm.HOLDOUT ? null : variant == null ? Assignment.DEFAULT_VARIANT : variant;
        }

        /** A member of a campaign without variants: treated ones in its one variant. */
        public MemberWindow(Arm arm, int orders, double revenue, double marginOfRatedLines, double revenueWithoutRate) {
            this(arm, orders, revenue, marginOfRatedLines, revenueWithoutRate, null);
        }

        /** The gross margin of the member's net spend, lines without a rate (own or category's) at the default rate. */
        public double margin(double defaultMarginRate) {
            return marginOfRatedLines + revenueWithoutRate * defaultMarginRate;
        }
    }

    public record ArmResult(long members, long converted, double conversionRate, double averageOrderValue,
            double revenuePerMember, double marginPerMember) {
    }

    /**
     * One treatment variant: its treated members against the whole holdout, which every variant shares (Assignment
     * splits the treated arm evenly and holds out alike whatever the variant), with the arms' statistics: conversion
     * uplift with Newcombe's interval, revenue and margin uplift per member with Welch's. Each interval is a 95% one
     * for that variant alone (no correction for comparing several). Cost, gain and ROI are the campaign's, not split
     * by variant (a call or coupon is not priced per variant).
     */
    public record VariantResult(String variant, ArmResult treated, Estimate conversionUplift,
            Estimate revenuePerMemberUplift, Estimate marginPerMemberUplift) {
    }

    /**
     * What the campaign spent: touches of treated members, calls made and its coupons redeemed by treated members
     * (both within the campaign window), with the margin rates of the orders the coupons were used on.
     */
    public record Costs(double costPerTouch, long callsMade, double costPerCall, RedeemedCoupons coupons,
            double couponValue) {

        /** Coupons whose orders are not known: each one's margin at the default rate. */
        public Costs(double costPerTouch, long callsMade, double costPerCall, long couponsRedeemed, double couponValue) {
            this(costPerTouch, callsMade, costPerCall, RedeemedCoupons.atTheDefaultRate(couponsRedeemed), couponValue);
        }
    }

    /**
     * The campaign's coupons redeemed by treated members (each once) and the gross margin rates of the orders they
     * were used on, summed over the coupons as MemberWindow splits a member's margin: rateOfRatedLines, the part of
     * those rates from lines priced at a rate of their own or of their category (each line's rate weighted by its
     * share of its order's paid amount), and shareWithoutRate, the shares of the orders priced at the default rate (a
     * whole 1 for a coupon whose order is not known or that names none). A coupon used on an order of a ¥60 line at
     * 50% and a ¥40 line without a rate adds 0.3 to the first and 0.4 to the second: at the default 30%, its order's
     * rate is 0.42.
     * <p>
     * refundedInFull of the count were used on orders refunded in full by the window's end: a sale that did not stand
     * (DOMAIN's promotion-sensitive trap). They stay in the cost (the coupon was spent), but are not added back to
     * revenue or gain, and their orders' rates are in neither sum.
     */
    public record RedeemedCoupons(long count, double rateOfRatedLines, double shareWithoutRate, long refundedInFull) {

        /** Coupons none of whose orders is known to be refunded in full. */
        public RedeemedCoupons(long count, double rateOfRatedLines, double shareWithoutRate) {
            this(count, rateOfRatedLines, shareWithoutRate, 0);
        }

        /** The coupons whose sale stood (or is not known not to): those added back to revenue and gain. */
        public long standing() {
            return count - refundedInFull;
        }

        /** Coupons whose orders are not known, each at the default rate. */
        public static RedeemedCoupons atTheDefaultRate(long count) {
            return new RedeemedCoupons(count, 0, count);
        }

        /** The coupons' order rates summed, what no line's or category's rate prices at the default rate. */
        public double marginRates(double defaultMarginRate) {
            return rateOfRatedLines + shareWithoutRate * defaultMarginRate;
        }
    }

    /** A campaign without variants of its own: its one variant is whatever the treated members were enrolled with. */
    public static CampaignReview of(List<MemberWindow> members, Costs costs, double defaultMarginRate) {
        return of(members, costs, defaultMarginRate, List.of());
    }

    /**
     * @param defaultMarginRate the margin rate of lines that carry none and whose category has none, and of the
     *                          redeemed coupons' value where their order is not known
     * @param variants          the campaign's variants, reported in this order, also those nobody was enrolled in yet;
     *                          then any other a treated member was enrolled with (the default of a campaign without)
     */
    public static CampaignReview of(List<MemberWindow> members, Costs costs, double defaultMarginRate,
            List<String> variants) {
        Predicate<MemberWindow> isTreated = m -> m.arm() == Arm.TREATED;
        ArmResult treated = arm(members, isTreated, defaultMarginRate);
        ArmResult holdout = arm(members, m -> m.arm() == Arm.HOLDOUT, defaultMarginRate);
        Estimate conversion = conversionUplift(treated, holdout);
        Estimate revenue = uplift(members, isTreated, MemberWindow::revenue);
        Estimate margin = uplift(members, isTreated, m -> m.margin(defaultMarginRate));
        double coupons = costs.coupons().count() * costs.couponValue();
        double cost = treated.members() * costs.costPerTouch() + costs.callsMade() * costs.costPerCall() + coupons;
        boolean bothArms = holdout.members() > 0 && treated.members() > 0;
        // Paid amounts are net of the coupon already: it is added back here and counted in the cost, once. A coupon
        // whose order went back in full is not: its sale did not stand, but the coupon was spent.
        double incrementalRevenue = bothArms ? revenue.value() * treated.members()
                + costs.coupons().standing() * costs.couponValue() : 0;
        // The coupon's full value is in the cost; the paid amount, and so the margin uplift, is net of it. Its margin
        // is added back at the rate of the order it was used on (a coupon carries no rate of its own; the default
        // where its order is not known), so the gain is the margin of the sale before the coupon, and gain − cost
        // what the chain kept: ¥100 of goods at 30%, paid ¥90 with a ¥10 coupon, gains 27 + 3 = 30 against the
        // coupon's 10: 20 kept, as 90 paid − 70 for the goods. Coupons of orders refunded in full add nothing back
        // (RedeemedCoupons leaves their rates out).
        double couponMargin = costs.couponValue() * costs.coupons().marginRates(defaultMarginRate);
        double incrementalGain = bothArms ? margin.value() * treated.members() + couponMargin : 0;
        // An empty arm measures nothing: no return, not a return of 0 on what was spent. Nothing spent (no call made
        // yet, a free channel): a return on nothing is none, not 0.
        boolean defined = bothArms && cost != 0;
        return new CampaignReview(treated, holdout, conversion, revenue, margin, cost, incrementalRevenue,
                incrementalGain, defined ? incrementalGain / cost : Double.NaN,
                defined ? (margin.low() * treated.members() + couponMargin) / cost : Double.NaN,
                defined ? (margin.high() * treated.members() + couponMargin) / cost : Double.NaN,
                variants(members, variants, holdout, defaultMarginRate), 0);
    }

    /**
     * One member's net gain in the window: the gross margin of what they paid (net of the coupon already), plus the
     * margin of the campaign's coupons they redeemed added back at their orders' rates, less those coupons' value.
     * Summed over the treated members and set against the holdout per member, it is the review's incrementalGain
     * less the coupons' cost: what next-targets ranks segments by (NextTarget). Held-out members redeem none.
     *
     * @param coupons the campaign's coupons this member redeemed within the window
     */
    public static double netGain(MemberWindow member, RedeemedCoupons coupons, double couponValue,
            double defaultMarginRate) {
        return member.margin(defaultMarginRate) + couponValue * coupons.marginRates(defaultMarginRate)
                - coupons.count() * couponValue;
    }

    /** The same review, saying how many members the campaign did not enrol for overlap. */
    public CampaignReview withExcludedForOverlap(long excluded) {
        return new CampaignReview(treated, holdout, conversionUplift, revenuePerMemberUplift, marginPerMemberUplift, cost,
                incrementalRevenue, incrementalGain, roi, roiLow, roiHigh, variants, excluded);
    }

    /** Each variant's treated members against the whole holdout, with the statistics the arms use. */
    private static List<VariantResult> variants(List<MemberWindow> members, List<String> declared, ArmResult holdout,
            double defaultMarginRate) {
        Set<String> names = new LinkedHashSet<>(declared);
        members.stream().filter(m -> m.arm() == Arm.TREATED).map(MemberWindow::variant).sorted().forEach(names::add);
        List<VariantResult> results = new ArrayList<>();
        for (String name : names) {
            Predicate<MemberWindow> inVariant = m -> m.arm() == Arm.TREATED && name.equals(m.variant());
            ArmResult treated = arm(members, inVariant, defaultMarginRate);
            results.add(new VariantResult(name, treated, conversionUplift(treated, holdout),
                    uplift(members, inVariant, MemberWindow::revenue),
                    uplift(members, inVariant, m -> m.margin(defaultMarginRate))));
        }
        return results;
    }

    private static Estimate conversionUplift(ArmResult treated, ArmResult holdout) {
        return Estimate.differenceOfProportions(treated.converted(), treated.members(), holdout.converted(),
                holdout.members());
    }

    /** The ROI at which the gain pays back the cost, no more: ROI is gain / cost. */
    static final double BREAK_EVEN_ROI = 1;

    /**
     * Whether the ROI's interval excludes break-even, 1 (false where it is undefined: too few members, nothing spent):
     * wholly above 1 the campaign pays back, wholly below it loses part of its spend (the ROI says which). Against 0,
     * an ROI of 0.4 in [0.1, 0.7] read significant while it lost 60% of its spend. An is-getter, so that REST's answer
     * carries it as roiSignificant, as gRPC's roi_significant.
     */
    public boolean isRoiSignificant() {
        return !Double.isNaN(roiLow) && (roiLow > BREAK_EVEN_ROI || roiHigh < BREAK_EVEN_ROI);
    }

    /** Treated members (all, or a variant's) against the holdout, per member, of one figure of the window. */
    private static Estimate uplift(List<MemberWindow> members, Predicate<MemberWindow> treatedOnes,
            ToDoubleFunction<MemberWindow> figure) {
        double[] treated = members.stream().filter(treatedOnes).mapToDouble(figure).toArray();
        double[] holdout = members.stream().filter(m -> m.arm() == Arm.HOLDOUT).mapToDouble(figure).toArray();
        return Estimate.differenceOfMeans(Estimate.Summary.of(treated), Estimate.Summary.of(holdout));
    }

    private static ArmResult arm(List<MemberWindow> members, Predicate<MemberWindow> inArm, double defaultMarginRate) {
        long n = 0, converted = 0, orders = 0;
        double revenue = 0, margin = 0;
        for (MemberWindow member : members) {
            if (!inArm.test(member)) {
                continue;
            }
            n++;
            converted += member.orders() > 0 ? 1 : 0;
            orders += member.orders();
            revenue += member.revenue();
            margin += member.margin(defaultMarginRate);
        }
        return new ArmResult(n, converted, n == 0 ? 0 : (double) converted / n, orders == 0 ? 0 : revenue / orders,
                n == 0 ? 0 : revenue / n, n == 0 ? 0 : margin / n);
    }
}
