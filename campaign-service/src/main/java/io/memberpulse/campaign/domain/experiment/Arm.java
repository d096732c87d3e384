package io.memberpulse.campaign.domain.experiment;

/** Which side of a campaign's experiment a member is on. */
public enum Arm {
    /** Touched by the campaign. */
    TREATED,
    /** Deliberately left alone, so that the campaign's effect can be measured against them. */
    HOLDOUT
}
