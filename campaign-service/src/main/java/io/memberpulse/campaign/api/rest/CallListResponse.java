package io.memberpulse.campaign.api.rest;

import java.time.Instant;
import java.util.List;

/** A store's call list on the wire. */
public record CallListResponse(String storeId, Instant generatedAt, List<Task> tasks) {

    /** One call to make; {@code version} goes back with the outcome. */
    public record Task(String taskId, String memberId, String storeId, String campaignId, double churnProbability,
            double memberValue, double valueAtRisk, Instant createdAt, Instant dueAt, String status, boolean overdue,
            List<String> talkingPoints, long version) {
    }
}
