package io.memberpulse.campaign.domain;

/**
 * The campaign moved to its state, but what follows the move (enrolment, replanning, restoring held-out members'
 * calls) did not finish: asking for the same state again finishes it.
 */
public final class TransitionIncompleteException extends CampaignException {
    public TransitionIncompleteException(String campaignId, String state, Throwable cause) {
        super("campaign " + campaignId + " is in " + state + ", but what follows the move did not finish; ask for "
                + state + " again to finish it", cause);
    }
}
