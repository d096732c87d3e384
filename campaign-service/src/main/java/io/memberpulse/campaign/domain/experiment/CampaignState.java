package io.memberpulse.campaign.domain.experiment;

import java.util.Locale;

/** A campaign's life: plan → live → review → closed, one way. */
public enum CampaignState {
    PLAN, LIVE, REVIEW, CLOSED;

    public boolean canMoveTo(CampaignState next) {
        return next.ordinal() == ordinal() + 1;
    }

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
