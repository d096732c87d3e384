package io.memberpulse.churn.domain;

import java.time.Instant;

/**
 * A member's probability of making no purchase within the horizon after {@code asOf}, with what
 * explains it: recency against the member's own rhythm, and the value at stake.
 */
public record ChurnScore(String memberId, double probability, String modelVersion, Instant asOf, int horizonDays,
        String homeStoreId, double memberValue, Double recencyDays, Double expectedGapDays) {

    public ChurnScore {
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("probability must be within 0..1: " + probability);
        }
    }

    /** This score with the probability a trained model gives instead, its explanation (recency, value) kept. */
    public ChurnScore withModel(double modelProbability, String version) {
        return new ChurnScore(memberId, modelProbability, version, asOf, horizonDays, homeStoreId, memberValue,
                recencyDays, expectedGapDays);
    }
}
