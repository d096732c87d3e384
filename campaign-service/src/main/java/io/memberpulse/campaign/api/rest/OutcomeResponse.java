package io.memberpulse.campaign.api.rest;

import io.memberpulse.campaign.domain.RecordedOutcome;
import java.time.Instant;
import java.time.LocalDate;

/** A recorded outcome and its task on the wire; {@code repeated} = this submit changed nothing. */
public record OutcomeResponse(String taskId, String memberId, String storeId, String status, long version,
        boolean reached, String result, String note, LocalDate followUpDate, Instant recordedAt, boolean repeated) {

    static OutcomeResponse of(RecordedOutcome recorded) {
        var task = recorded.task();
        var outcome = recorded.outcome();
        return new OutcomeResponse(task.taskId(), task.memberId(), task.storeId(), recorded.taskStatus(), task.version(),
                outcome.reached(), outcome.result().code(), outcome.note(), outcome.followUpDate(),
                recorded.recordedAt(), recorded.repeated());
    }
}
