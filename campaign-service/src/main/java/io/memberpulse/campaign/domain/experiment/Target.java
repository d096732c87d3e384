package io.memberpulse.campaign.domain.experiment;

import io.memberpulse.campaign.domain.InvalidArgumentException;

/**
 * Whom a campaign targets: the members of an rfm-service segment, or the churn-risk rule (members at
 * or above a churn probability), optionally within one store. A segment target may add a probability
 * floor (0 = any member of the segment, scored or not).
 *
 * @param segmentId      null = the churn-risk rule alone
 * @param minProbability churn probability floor
 * @param storeId        null = every store
 */
public record Target(String segmentId, double minProbability, String storeId) {

    public Target {
        segmentId = blankToNull(segmentId);
        storeId = blankToNull(storeId);
        if (segmentId == null && !(minProbability > 0 && minProbability <= 1)) {
            throw new InvalidArgumentException("target_min_probability",
                    "must be within (0, 1] for a churn-risk target (or name a target_segment_id)");
        }
        if (!(minProbability >= 0 && minProbability <= 1)) {
            throw new InvalidArgumentException("target_min_probability", "must be within [0, 1]");
        }
    }

    public static Target churnRisk(double minProbability, String storeId) {
        return new Target(null, minProbability, storeId);
    }

    public boolean targetsSegment() {
        return segmentId != null;
    }

    /** Whether a scored member in a store meets the rule (segment membership is checked by the caller). */
    public boolean admits(double probability, String memberStoreId) {
        return probability >= minProbability && (storeId == null || storeId.equals(memberStoreId));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
