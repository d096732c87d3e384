package io.memberpulse.campaign.stream.in;

import io.memberpulse.campaign.domain.InvalidArgumentException;
import io.memberpulse.campaign.domain.ChurnFact;
import io.memberpulse.campaign.domain.MemberRisk;
import io.memberpulse.campaign.domain.ScoreWithdrawal;
import io.memberpulse.proto.churn.v1.ChurnScored;
import java.time.Instant;

/**
 * churn.scores events to domain scores, and tombstones to withdrawals; a record that breaks a rule throws and goes to
 * the dead-letter topic.
 */
final class ChurnScoredMapper {
    private ChurnScoredMapper() {
    }

    static ChurnFact toDomain(ChurnScored event) {
        if (event == null) {
            // The deserialization failure handler turned an unreadable record into null.
            throw new InvalidArgumentException("value", "not a readable ChurnScored message");
        }
        if (!event.hasAsOf()) {
            throw new InvalidArgumentException("as_of", "is required to order scores");
        }
        Instant asOf = Instant.ofEpochSecond(event.getAsOf().getSeconds(), event.getAsOf().getNanos());
        return new MemberRisk(event.getMemberId(), event.getHomeStoreId(), event.getProbability(),
                event.getMemberValue(), asOf);
    }

    /** A tombstone (the member id as key, no value): churn-service no longer scores the member. */
    static ChurnFact withdrawal(String memberId) {
        return new ScoreWithdrawal(memberId);
    }
}
