package io.memberpulse.churn.domain;

/**
 * What targeting the riskiest top share of members is expected to earn, given a model's measured
 * churn rate and lift at that share (on its validation window):
 * <pre>
 *   targeted              = round(members × topShare)
 *   churners among them   = targeted × churnRate × lift        (lift × churnRate = precision, at most 1)
 *   won back              = churners among them × baseWinBack  (share of touched churners who stay)
 *   gain                  = won back × netValuePerWonBack
 *   cost                  = targeted × (touchCost + couponCost)
 *   ROI                   = gain / cost
 * </pre>
 * i.e. RoiCalculator with a per-targeted win-back uplift of min(1, churnRate × lift) × baseWinBack.
 * The same list drawn at random (lift 1) is given alongside, for comparison.
 */
public final class WhatIfRoi {
    private WhatIfRoi() {
    }

    public record Inputs(long members, double topShare, double touchCost, double couponCost, double netValuePerWonBack,
            double baseWinBack) {
        public Inputs {
            require(members >= 0 && members <= RoiCalculator.MAX_MEMBERS, "members",
                    "must be a whole number within 0.." + RoiCalculator.MAX_MEMBERS);
            require(topShare > 0 && topShare <= 1, "topShare", "must be within (0, 1]");
            require(RoiCalculator.amount(touchCost), "touchCost", RoiCalculator.AMOUNT);
            require(RoiCalculator.amount(couponCost), "couponCost", RoiCalculator.AMOUNT);
            require(touchCost + couponCost > 0, "touchCost", "touch and coupon cost cannot both be 0");
            require(RoiCalculator.amount(netValuePerWonBack), "netValuePerWonBack", RoiCalculator.AMOUNT);
            require(baseWinBack >= 0 && baseWinBack <= 1, "baseWinBack", "must be within 0..1");
        }
    }

    /** The model's measurement: churn rate of its validation window and lift at the share; source names the model. */
    public record Measured(String source, double churnRate, double lift) {
        public Measured {
            if (!(churnRate >= 0 && churnRate <= 1) || !(lift >= 0) || Double.isInfinite(lift)) {
                throw new IllegalArgumentException("churn rate must be within 0..1 and lift non-negative");
            }
        }
    }

    public record Result(String source, double topShare, double churnRate, double lift, long targeted,
            double expectedChurnersTargeted, double expectedWonBack, double cost, double gain, double roi,
            double randomTargetingGain, double randomTargetingRoi) {
    }

    public static Result calculate(Inputs in, Measured measured) {
        double precision = Math.min(1, measured.churnRate() * measured.lift());
        RoiCalculator.Result model = RoiCalculator.calculate(roiInputs(in, precision));
        RoiCalculator.Result random = RoiCalculator.calculate(roiInputs(in, measured.churnRate()));
        return new Result(measured.source(), in.topShare(), measured.churnRate(), measured.lift(), model.targeted(),
                model.targeted() * precision, model.targeted() * precision * in.baseWinBack(), model.cost(),
                model.gain(), model.roi(), random.gain(), random.roi());
    }

    private static RoiCalculator.Inputs roiInputs(Inputs in, double churnersPerTargeted) {
        return new RoiCalculator.Inputs(in.members(), in.topShare(), in.touchCost(), in.couponCost(),
                churnersPerTargeted * in.baseWinBack(), in.netValuePerWonBack());
    }

    private static void require(boolean condition, String field, String reason) {
        if (!condition) {
            throw new InvalidInputException(field, reason);
        }
    }
}
