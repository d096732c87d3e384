package io.memberpulse.campaign.domain;

/** Why the service itself closed a task (staff-recorded outcomes come later). */
public enum CloseReason {
    RISK_FELL("risk fell"),
    NO_HOME_STORE("no home store");

    private final String text;

    CloseReason(String text) {
        this.text = text;
    }

    /** What is stored in call_task.close_reason. */
    public String text() {
        return text;
    }
}
