package io.memberpulse.campaign.domain;

/** The errors campaign-service reports to its callers; each transport maps them once. */
public abstract sealed class CampaignException extends RuntimeException
        permits InvalidArgumentException, StoreNotFoundException, TaskNotFoundException, TaskConflictException,
        CampaignNotFoundException, MemberNotFoundException, TransitionIncompleteException, CampaignStateConflictException,
        TaskClosedException, ContactRevealDisabledException {

    protected CampaignException(String message) {
        super(message);
    }

    protected CampaignException(String message, Throwable cause) {
        super(message, cause);
    }
}
