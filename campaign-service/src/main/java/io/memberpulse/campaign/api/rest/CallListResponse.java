package io.memberpulse.campaign.api.rest;

import io.memberpulse.campaign.domain.MemberInsight;
import java.time.Instant;
import java.util.List;

/**
 * A store's call list on the wire; {@code guideMessages}: the open tasks beyond the store's call capacity, for shopping
 * guides' private messages; {@code currency}: the ISO 4217 code of every amount (memberpulse.campaign.currency), in
 * which the talking points write them; {@code currencyLocale}: the BCP 47 tag they are written as
 * (memberpulse.campaign.currency-locale), null when none is set (the currency's symbol first, thousands commas), so
 * that the staff page writes its own amounts as the talking points do.
 */
public record CallListResponse(String storeId, Instant generatedAt, List<Task> tasks, List<Task> guideMessages,
        String currency, String currencyLocale) {

    /**
     * One call to make; {@code version} goes back with the outcome. {@code insight} holds the talking
     * points as data (RFM, last purchase, favourite categories, open coupons), null before any event. {@code memberNo}:
     * the POS / loyalty member number last reported, null when none; the full phone is revealed per task
     * (POST /tasks/{id}/contact). {@code churnProbability}, {@code memberValue} and {@code valueAtRisk}: null while
     * the member has no churn score (a segment's call before churn-service scored them).
     */
    public record Task(String taskId, String memberId, String storeId, String campaignId, Double churnProbability,
            Double memberValue, Double valueAtRisk, Instant createdAt, Instant dueAt, String status, boolean overdue,
            List<String> talkingPoints, long version, String maskedPhone, String memberNo, MemberInsight insight) {
    }
}
