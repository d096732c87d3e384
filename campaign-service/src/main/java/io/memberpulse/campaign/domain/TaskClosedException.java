package io.memberpulse.campaign.domain;

/** The task is closed (its outcome recorded, or cancelled), and what was asked is done only on an OPEN task. */
public final class TaskClosedException extends CampaignException {
    public TaskClosedException(String message) {
        super(message);
    }
}
