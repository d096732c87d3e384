package io.memberpulse.campaign.domain.experiment;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** A campaign's life: plan → live → review → closed, one way. */
public enum CampaignState {
    PLAN, LIVE, REVIEW, CLOSED;

    public boolean canMoveTo(CampaignState next) {
        return next.ordinal() == ordinal() + 1;
    }

    /** The states a campaign in this one went through after {@code earlier}, in order, this one last. */
    public List<CampaignState> since(CampaignState earlier) {
        return Arrays.stream(values()).filter(s -> s.ordinal() > earlier.ordinal() && s.ordinal() <= ordinal()).toList();
    }

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
