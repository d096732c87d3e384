package io.memberpulse.campaign.domain;

/** A member id campaign-service never saw on member.events, churn.scores, member.segments or member.merges. */
public final class MemberNotFoundException extends CampaignException {
    public MemberNotFoundException(String memberId) {
        super("no member " + memberId + ": no event, churn score, segment or merge names it");
    }
}
