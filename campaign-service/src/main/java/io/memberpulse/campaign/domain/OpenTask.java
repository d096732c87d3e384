package io.memberpulse.campaign.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * An OPEN call task as far as planning cares: whose it is, the score it was ranked with, which SOP rule opened it
 * ({@link TaskOrigin}), and when it was opened and is due (a rule taking it over counts its time from them).
 */
public record OpenTask(String taskId, String memberId, double probability, double memberValue, String origin,
        Instant createdAt, Instant dueAt) {

    public OpenTask {
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(dueAt, "dueAt");
    }

    public boolean fromChurnTopShare() {
        return TaskOrigin.CHURN_TOP_SHARE.equals(origin);
    }
}
