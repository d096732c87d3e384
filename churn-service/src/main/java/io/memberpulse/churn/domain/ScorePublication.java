package io.memberpulse.churn.domain;

import java.time.Duration;
import java.util.Objects;

/**
 * When a fresh score is worth publishing on churn.scores, compared with the stored one: new, moved, or from another
 * model (after a promotion every score names the model that made it), or stored as of longer than
 * {@code restateAfter} before this one (its recency and as-of would never age while its probability moves less than
 * the threshold).
 *
 * @param probabilityThreshold the smallest move of the probability that is published
 * @param restateAfter how old the stored score's as-of may grow before the score is published again unmoved
 */
public record ScorePublication(double probabilityThreshold, Duration restateAfter) {

    /** Member value is money: a move below a cent is rounding, not news. */
    static final double MEMBER_VALUE_THRESHOLD = 0.01;

    public ScorePublication {
        Objects.requireNonNull(restateAfter, "restateAfter must be set");
    }

    /**
     * @param previous the stored score, or null when the member has none; the last one published unless still
     *     unpublished (the caller publishes that one anyway)
     */
    public boolean worthPublishing(ChurnScore score, ChurnScore previous) {
        return previous == null
                || previous.asOf().plus(restateAfter).isBefore(score.asOf())
                || Math.abs(score.probability() - previous.probability()) >= probabilityThreshold
                || !Objects.equals(score.modelVersion(), previous.modelVersion())
                || !Objects.equals(score.homeStoreId(), previous.homeStoreId())
                || Math.abs(score.memberValue() - previous.memberValue()) >= MEMBER_VALUE_THRESHOLD;
    }
}
