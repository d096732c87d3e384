package io.memberpulse.campaign.domain;

/** Why the service itself closed a task (staff close theirs by recording an outcome). */
public enum CloseReason {
    RISK_FELL("risk fell"),
    NO_HOME_STORE("no home store"),
    HELD_OUT("held out by a live call campaign"),
    LEFT_SEGMENT("left the segment"),
    /** The member was merged into one who already had an OPEN task (member.merges): one call per person. */
    MERGED("merged into another member"),
    /** The member was erased at their request (member.merges): never called again, no outcome taken. */
    ERASED("erased");

    private final String text;

    CloseReason(String text) {
        this.text = text;
    }

    /** What is stored in call_task.close_reason. */
    public String text() {
        return text;
    }
}
