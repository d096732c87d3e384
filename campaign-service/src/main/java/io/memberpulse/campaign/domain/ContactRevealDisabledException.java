package io.memberpulse.campaign.domain;

/**
 * The deployment turned revealing members' phones off (memberpulse.campaign.contact-reveal.enabled=false): refused
 * for every caller and task, whatever their roles, so no task is looked up.
 */
public final class ContactRevealDisabledException extends CampaignException {
    public ContactRevealDisabledException() {
        super("revealing members' phones is turned off in this deployment "
                + "(memberpulse.campaign.contact-reveal.enabled=false): dial from the member number or the masked phone");
    }
}
