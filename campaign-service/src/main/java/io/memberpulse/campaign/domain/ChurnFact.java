package io.memberpulse.campaign.domain;

/** What churn.scores says of a member: their latest score (MemberRisk), or that they are no longer scored. */
public sealed interface ChurnFact permits MemberRisk, ScoreWithdrawal {

    String memberId();
}
