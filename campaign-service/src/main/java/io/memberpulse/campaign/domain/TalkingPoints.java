package io.memberpulse.campaign.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** A few lines a store manager can glance at before dialling, made only from what the task knows. */
public final class TalkingPoints {
    private TalkingPoints() {
    }

    public static List<String> of(CallTask task, Instant now) {
        return List.of(
                "churn risk " + Math.round(task.probability() * 100) + "%",
                "90-day spend " + yuan(task.memberValue()),
                "value at risk " + yuan(task.valueAtRisk()),
                deadline(task, now));
    }

    private static String yuan(double amount) {
        return String.format(Locale.ROOT, "¥%,.0f", amount);
    }

    private static String deadline(CallTask task, Instant now) {
        if (task.isOverdue(now)) {
            return "overdue by " + hours(Duration.between(task.dueAt(), now)) + " h";
        }
        return "call within " + hours(Duration.between(now, task.dueAt())) + " h";
    }

    /** Whole hours, rounded up so that "within 0 h" never shows while time is left. */
    private static long hours(Duration duration) {
        long minutes = duration.toMinutes();
        return (minutes + 59) / 60;
    }
}
