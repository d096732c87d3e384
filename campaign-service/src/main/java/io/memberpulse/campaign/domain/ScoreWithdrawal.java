package io.memberpulse.campaign.domain;

/**
 * churn-service no longer scores the member (a tombstone on churn.scores: no purchase left after refunds, retractions
 * or a split): their last score no longer holds, so they leave their store's scored members and its churn calls.
 */
public record ScoreWithdrawal(String memberId) implements ChurnFact {

    public ScoreWithdrawal {
        if (memberId == null || memberId.isBlank()) {
            throw new InvalidArgumentException("key", "a withdrawal names its member id as key");
        }
    }
}
