package io.memberpulse.campaign.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * A member's latest churn score and value, in the store that owns the member's care.
 *
 * @param storeId the member's home store; null when the member has no purchases to tie them to one
 */
public record MemberRisk(String memberId, String storeId, double probability, double memberValue, Instant asOf)
        implements ChurnFact {

    public MemberRisk {
        if (memberId == null || memberId.isBlank()) {
            throw new InvalidArgumentException("member_id", "is required");
        }
        if (!(probability >= 0.0 && probability <= 1.0)) {
            throw new InvalidArgumentException("probability", "must be between 0 and 1, was " + probability);
        }
        if (!Double.isFinite(memberValue)) {
            throw new InvalidArgumentException("member_value", "must be a finite number");
        }
        Objects.requireNonNull(asOf, "asOf");
        storeId = storeId == null || storeId.isBlank() ? null : storeId;
    }

    /** Expected loss if the member churns: what ranks the call list. */
    public double valueAtRisk() {
        return probability * memberValue;
    }

    public boolean hasStore() {
        return storeId != null;
    }
}
