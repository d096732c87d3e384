package io.memberpulse.churn.domain;

/**
 * What targeting the riskiest top share of members is expected to earn, given a model's measured
 * churn rate and lift at that share (on its validation window):
 * <pre>
 *   targeted              = round(members × topShare)
 *   churners among them   = targeted × churnRate × lift        (lift × churnRate = precision, at most 1)
 *   won back              = churners among them × winBackPerChurner  (share of touched churners who stay)
 *   gain                  = won back × netValuePerWonBack
 *   cost                  = targeted × (touchCost + couponCost)
 *   ROI                   = gain / cost
 * </pre>
 * i.e. RoiCalculator with a per-targeted win-back uplift of min(1, churnRate × lift) × winBackPerChurner.
 * The rate is per churner among the targeted, which is what makes the model's lift matter: a better list
 * holds more churners to win back. DOMAIN.md's worked example 1 and POST /roi (RoiCalculator) give their
 * uplift per targeted member instead ("+8%": 20,000 × 8% × ¥60 = ¥96,000, ROI 2.13); the same campaign
 * here is winBackPerChurner = uplift per targeted / (churnRate × lift) ({@link #winBackPerChurner}):
 * 8% / 52.5% = 15.2% at churn rate 0.25 and lift 2.1. Entering DOMAIN's 8% as the per-churner rate is
 * another, weaker campaign (¥50,400, ROI 1.12 there). The same list drawn at random (lift 1) is given
 * alongside, for comparison.
 */
public final class WhatIfRoi {
    private WhatIfRoi() {
    }

    public record Inputs(long members, double topShare, double touchCost, double couponCost, double netValuePerWonBack,
            double winBackPerChurner) {
        public Inputs {
            require(members >= 0 && members <= RoiCalculator.MAX_MEMBERS, "members",
                    "must be a whole number within 0.." + RoiCalculator.MAX_MEMBERS);
            require(topShare > 0 && topShare <= 1, "topShare", "must be within (0, 1]");
            require(RoiCalculator.amount(touchCost), "touchCost", RoiCalculator.AMOUNT);
            require(RoiCalculator.amount(couponCost), "couponCost", RoiCalculator.AMOUNT);
            require(touchCost + couponCost > 0, "touchCost", "touch and coupon cost cannot both be 0");
            require(RoiCalculator.amount(netValuePerWonBack), "netValuePerWonBack", RoiCalculator.AMOUNT);
            require(winBackPerChurner >= 0 && winBackPerChurner <= 1, "winBackPerChurner", "must be within 0..1");
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

    /** winBackPerTargeted: the won back per targeted member, as POST /roi's winBackUplift is given. */
    public record Result(String source, double topShare, double churnRate, double lift, long targeted,
            double expectedChurnersTargeted, double expectedWonBack, double winBackPerTargeted, double cost, double gain,
            double roi, double randomTargetingGain, double randomTargetingRoi) {
    }

    /**
     * The per-churner win-back rate of a campaign whose uplift is given per targeted member (DOMAIN.md §3, POST /roi):
     * uplift / share of churners among the targeted (the model's churn rate × lift there), at most 1; NaN when the
     * targeted hold no churners.
     */
    public static double winBackPerChurner(double winBackPerTargeted, double churnersPerTargeted) {
        return churnersPerTargeted > 0 ? Math.min(1, winBackPerTargeted / churnersPerTargeted) : Double.NaN;
    }

    public static Result calculate(Inputs in, Measured measured) {
        double precision = Math.min(1, measured.churnRate() * measured.lift());
        RoiCalculator.Result model = RoiCalculator.calculate(roiInputs(in, precision));
        RoiCalculator.Result random = RoiCalculator.calculate(roiInputs(in, measured.churnRate()));
        return new Result(measured.source(), in.topShare(), measured.churnRate(), measured.lift(), model.targeted(),
                model.targeted() * precision, model.targeted() * precision * in.winBackPerChurner(),
                precision * in.winBackPerChurner(), model.cost(), model.gain(), model.roi(), random.gain(), random.roi());
    }

    private static RoiCalculator.Inputs roiInputs(Inputs in, double churnersPerTargeted) {
        return new RoiCalculator.Inputs(in.members(), in.topShare(), in.touchCost(), in.couponCost(),
                churnersPerTargeted * in.winBackPerChurner(), in.netValuePerWonBack());
    }

    private static void require(boolean condition, String field, String reason) {
        if (!condition) {
            throw new InvalidInputException(field, reason);
        }
    }
}
