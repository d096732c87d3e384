package io.memberpulse.churn.domain;

/**
 * The ROI of touching the riskiest share of members (DOMAIN.md §3): cost = targeted × (touch +
 * coupon); gain = targeted × win-back uplift × net value per won-back member; ROI = gain / cost.
 */
public final class RoiCalculator {
    private RoiCalculator() {
    }

    public record Inputs(long members, double riskShare, double touchCost, double couponCost, double winBackUplift,
            double netValuePerWonBack) {
        public Inputs {
            require(members >= 0, "members", "must be 0 or more");
            require(riskShare > 0 && riskShare <= 1, "risk_share", "must be within (0, 1]");
            // Written so that NaN and infinities fail too (gRPC carries doubles as they are; JSON 1e999 is infinite).
            require(touchCost >= 0 && Double.isFinite(touchCost), "touch_cost", "must be a finite amount, 0 or more");
            require(couponCost >= 0 && Double.isFinite(couponCost), "coupon_cost", "must be a finite amount, 0 or more");
            require(touchCost + couponCost > 0, "touch_cost", "touch and coupon cost cannot both be 0");
            require(winBackUplift >= 0 && winBackUplift <= 1, "win_back_uplift", "must be within 0..1");
            require(netValuePerWonBack >= 0 && Double.isFinite(netValuePerWonBack), "net_value_per_won_back",
                    "must be a finite amount, 0 or more");
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

    private static void require(boolean condition, String field, String reason) {
        if (!condition) {
            throw new InvalidInputException(field, reason);
        }
    }
}
