package io.memberpulse.campaign.domain;

/**
 * A member id campaign-service never saw on member.events, churn.scores, member.segments or member.merges, or a
 * member not enrolled in the campaign asked about.
 */
public final class MemberNotFoundException extends CampaignException {
    public MemberNotFoundException(String memberId) {
        super("no member " + memberId + ": no event, churn score, segment or merge names it");
    }

    public MemberNotFoundException(String memberId, String campaignId) {
        super("member " + memberId + " is not in campaign " + campaignId + ": not enrolled in it");
    }
}
