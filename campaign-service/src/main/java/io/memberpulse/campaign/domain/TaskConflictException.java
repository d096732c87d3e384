package io.memberpulse.campaign.domain;

/**
 * The task changed since the caller read it (another staff member recorded an outcome, or the SOP
 * cancelled it): nothing was overwritten; re-read the task and decide again.
 */
public final class TaskConflictException extends CampaignException {
    public TaskConflictException(String message) {
        super(message);
    }
}
