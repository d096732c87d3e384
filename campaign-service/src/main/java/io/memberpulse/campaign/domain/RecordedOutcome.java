package io.memberpulse.campaign.domain;

import java.time.Instant;

/**
 * An outcome as stored, with its task after recording.
 *
 * @param taskStatus DONE once recorded
 * @param repeated   true when this answers a repeated submit that changed nothing
 */
public record RecordedOutcome(CallTask task, String taskStatus, Outcome outcome, Instant recordedAt, boolean repeated) {
}
