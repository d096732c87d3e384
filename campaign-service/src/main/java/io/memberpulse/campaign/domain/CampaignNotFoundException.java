package io.memberpulse.campaign.domain;

public final class CampaignNotFoundException extends CampaignException {
    public CampaignNotFoundException(String campaignId) {
        super("no campaign " + campaignId);
    }
}
