package io.memberpulse.campaign.domain;

/**
 * What a call-list entry shows about its member besides the score.
 *
 * @param maskedPhone 138****8000, null when no phone is known
 * @param memberNo    the POS / loyalty member number last reported, null when none
 * @param insight     null when campaign-service has seen no event yet
 */
public record MemberCard(String maskedPhone, String memberNo, MemberInsight insight) {
    public static final MemberCard NONE = new MemberCard(null, null, null);
}
