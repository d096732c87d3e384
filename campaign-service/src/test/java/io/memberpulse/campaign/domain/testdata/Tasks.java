package io.memberpulse.campaign.domain.testdata;

import io.memberpulse.campaign.domain.OpenTask;
import io.memberpulse.campaign.domain.TaskOrigin;
import java.time.Duration;
import java.time.Instant;

/** Test data: OPEN tasks opened at {@link #OPENED}, due 72 hours later, as the churn SOP opens them. */
public final class Tasks {
    public static final Instant OPENED = Instant.parse("2024-03-02T00:00:00Z");
    public static final Instant DUE = OPENED.plus(Duration.ofHours(72));

    private Tasks() {
    }

    public static OpenTask open(String taskId, String memberId, double probability, double value) {
        return open(taskId, memberId, probability, value, TaskOrigin.CHURN_TOP_SHARE);
    }

    public static OpenTask open(String taskId, String memberId, double probability, double value, String origin) {
        return new OpenTask(taskId, memberId, probability, value, origin, OPENED, DUE);
    }
}
