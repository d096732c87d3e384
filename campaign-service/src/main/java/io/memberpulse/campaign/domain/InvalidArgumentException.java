package io.memberpulse.campaign.domain;

/** A request or event field that breaks a rule; {@link #field()} uses the wire (snake_case) name. */
public final class InvalidArgumentException extends CampaignException {
    private final String field;
    private final String reason;

    public InvalidArgumentException(String field, String reason) {
        super(field + ": " + reason);
        this.field = field;
        this.reason = reason;
    }

    public String field() {
        return field;
    }

    public String reason() {
        return reason;
    }
}
