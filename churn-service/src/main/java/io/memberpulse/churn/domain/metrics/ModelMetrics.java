package io.memberpulse.churn.domain.metrics;

import java.util.List;

/**
 * How a model's churn probabilities fared against what happened: ranking (AUC with its 95% interval
 * after DeLong, recall and lift in the top 20%, precision in the top 10%), calibration (Brier, reliability bins) and the expected
 * profit per 1,000 members of a care campaign aimed down the list (ProfitCurve.AUTOMATED_CARE: DOMAIN.md example 1's
 * costs and value, 8% of the touched churners won back: per churner, not DOMAIN's per targeted member); lift at shares
 * from 5% to 100% (what the what-if ROI reads).
 */
public record ModelMetrics(int members, double churnRate, double auc, double aucLow95, double aucHigh95,
        double recallAt20, double liftAt20, double precisionAt10, double brier, double profitPerThousandAt20, double bestShare,
        double bestProfitPerThousand, List<BinaryMetrics.Bin> reliability, List<LiftCurve.Point> liftCurve) {

    public static ModelMetrics of(double[] probabilities, int[] churned) {
        double rate = java.util.Arrays.stream(churned).average().orElse(Double.NaN);
        ProfitCurve profit = ProfitCurve.AUTOMATED_CARE;
        ProfitCurve.Best best = profit.best(probabilities, churned);
        DeLong.Estimate auc = DeLong.auc(probabilities, churned); // the interval: NaN below two of either class
        return new ModelMetrics(churned.length, rate, BinaryMetrics.auc(probabilities, churned), auc.low(), auc.high(),
                BinaryMetrics.recallAt(probabilities, churned, 0.2), BinaryMetrics.liftAt(probabilities, churned, 0.2),
                BinaryMetrics.precisionAt(probabilities, churned, 0.1), BinaryMetrics.brier(probabilities, churned),
                profit.profitPerThousand(probabilities, churned, 0.2), best.share(), best.profitPerThousand(),
                BinaryMetrics.reliability(probabilities, churned, 10),
                LiftCurve.measure(probabilities, churned).points());
    }
}
