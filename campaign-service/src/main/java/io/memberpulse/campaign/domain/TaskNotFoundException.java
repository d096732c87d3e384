package io.memberpulse.campaign.domain;

/** No such task, or one of another store: a store never sees another store's tasks. */
public final class TaskNotFoundException extends CampaignException {
    public TaskNotFoundException(String taskId) {
        super("no task " + taskId);
    }
}
