package io.memberpulse.campaign.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * An OPEN call to a member, as staff see it on a call list.
 *
 * @param campaignId null until tasks are opened by a campaign rather than by the SOP
 * @param version    the optimistic-lock version a caller sends back with the outcome
 * @param maskedPhone how to reach the member (138****8000), null when no phone is known
 * @param memberNo    the POS / loyalty member number last reported, for finding the member in the POS; null when none
 * @param insight     the member's RFM, last purchase, favourite categories and open coupons; null when unknown
 * @param unscored    the member had no churn score when the task was opened: probability, memberValue and valueAtRisk
 *                    are 0 for ranking only, and unknown (absent on the wire, no risk talking points)
 */
public record CallTask(String taskId, String memberId, String storeId, String campaignId, double probability,
        double memberValue, double valueAtRisk, Instant createdAt, Instant dueAt, long version, String maskedPhone,
        String memberNo, MemberInsight insight, boolean unscored) {

    public CallTask(String taskId, String memberId, String storeId, String campaignId, double probability,
            double memberValue, double valueAtRisk, Instant createdAt, Instant dueAt, long version) {
        this(taskId, memberId, storeId, campaignId, probability, memberValue, valueAtRisk, createdAt, dueAt, version, null, null, null, false);
    }

    public CallTask with(MemberCard card) {
        return new CallTask(taskId, memberId, storeId, campaignId, probability, memberValue, valueAtRisk, createdAt,
                dueAt, version, card.maskedPhone(), card.memberNo(), card.insight(), unscored);
    }

    /** This task, scored or not (CallTaskEntity.scored). */
    public CallTask scored(boolean scored) {
        return new CallTask(taskId, memberId, storeId, campaignId, probability, memberValue, valueAtRisk, createdAt,
                dueAt, version, maskedPhone, memberNo, insight, !scored);
    }

    public CallTask {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(memberId, "memberId");
        Objects.requireNonNull(storeId, "storeId");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(dueAt, "dueAt");
    }

    public CallTaskStatus status(Instant now) {
        return dueAt.isBefore(now) ? CallTaskStatus.OVERDUE : CallTaskStatus.OPEN;
    }

    public boolean isOverdue(Instant now) {
        return status(now) == CallTaskStatus.OVERDUE;
    }
}
