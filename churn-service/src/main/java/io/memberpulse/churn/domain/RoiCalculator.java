package io.memberpulse.churn.domain;

import io.memberpulse.proto.checks.FieldChecks;

/**
 * The ROI of touching the riskiest share of members (DOMAIN.md §3): cost = targeted × (touch +
 * coupon); gain = targeted × win-back uplift × net value per won-back member; ROI = gain / cost.
 * The uplift is per targeted member, as DOMAIN's worked example 1 gives it (20,000 × 8% × ¥60 = ¥96,000);
 * the what-if (WhatIfRoi) and the model reports' profit (ProfitCurve) take a rate per churner among the
 * targeted instead, converted by WhatIfRoi.winBackPerChurner.
 */
public final class RoiCalculator {
    /** Most members an ROI is asked for: over every member any retailer has. */
    public static final long MAX_MEMBERS = 1_000_000_000;
    static final String AMOUNT = "must be a finite amount within 0.." + (long) FieldChecks.MAX_AMOUNT;

    private RoiCalculator() {
    }

    public record Inputs(long members, double riskShare, double touchCost, double couponCost, double winBackUplift,
            double netValuePerWonBack) {
        public Inputs {
            require(members >= 0 && members <= MAX_MEMBERS, "members", "must be within 0.." + MAX_MEMBERS);
            require(riskShare > 0 && riskShare <= 1, "risk_share", "must be within (0, 1]");
            // Written so that NaN and infinities fail too (gRPC carries doubles as they are; JSON 1e999 is infinite), and
            // bounded so that cost and gain stay finite (1e308 + 1e308 per member was a cost of "Infinity").
            require(amount(touchCost), "touch_cost", AMOUNT);
            require(amount(couponCost), "coupon_cost", AMOUNT);
            require(touchCost + couponCost > 0, "touch_cost", "touch and coupon cost cannot both be 0");
            require(winBackUplift >= 0 && winBackUplift <= 1, "win_back_uplift", "must be within 0..1");
            require(amount(netValuePerWonBack), "net_value_per_won_back", AMOUNT);
        }
    }

    public record Result(long targeted, double cost, double gain, double roi) {
    }

    public static Result calculate(Inputs in) {
        long targeted = Math.round(in.members() * in.riskShare());
        double cost = targeted * (in.touchCost() + in.couponCost());
        double gain = targeted * in.winBackUplift() * in.netValuePerWonBack();
        return new Result(targeted, cost, gain, cost == 0 ? 0 : gain / cost);
    }

    static boolean amount(double value) {
        return value >= 0 && value <= FieldChecks.MAX_AMOUNT;
    }

    private static void require(boolean condition, String field, String reason) {
        if (!condition) {
            throw new InvalidInputException(field, reason);
        }
    }
}
