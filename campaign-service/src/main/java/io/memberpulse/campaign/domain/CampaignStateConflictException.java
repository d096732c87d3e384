package io.memberpulse.campaign.domain;

/**
 * A move the campaign's state does not allow (skipping a state, or going back): the request is well formed, the
 * campaign is not where it would have to be (REST 409, gRPC FAILED_PRECONDITION). Asking for the state it is in is no
 * conflict: that answers the campaign as it is.
 */
public final class CampaignStateConflictException extends CampaignException {
    public CampaignStateConflictException(String current, String asked) {
        super("state: a campaign in " + current + " cannot move to " + asked
                + " (plan → live → review → closed, one step at a time)");
    }
}
