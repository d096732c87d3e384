package io.memberpulse.campaign.domain;

/**
 * An OPEN call task as far as planning cares: whose it is, the score it was ranked with, and which
 * SOP rule opened it ({@link TaskOrigin}).
 */
public record OpenTask(String taskId, String memberId, double probability, double memberValue, String origin) {

    public OpenTask(String taskId, String memberId, double probability, double memberValue) {
        this(taskId, memberId, probability, memberValue, TaskOrigin.CHURN_TOP_SHARE);
    }

    public boolean fromChurnTopShare() {
        return TaskOrigin.CHURN_TOP_SHARE.equals(origin);
    }
}
