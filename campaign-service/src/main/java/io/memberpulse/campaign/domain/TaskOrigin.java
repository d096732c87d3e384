package io.memberpulse.campaign.domain;

/** Which SOP rule opened a call task (call_task.origin). */
public final class TaskOrigin {
    /** The riskiest share of a store's scored members (from churn.scores). */
    public static final String CHURN_TOP_SHARE = "churn-top-share";
    private static final String SEGMENT = "segment:";

    private TaskOrigin() {
    }

    /** Entering a segment of rfm-service (from member.segments), e.g. "segment:churn-edge". */
    public static String segment(String segmentId) {
        return SEGMENT + segmentId;
    }
}
