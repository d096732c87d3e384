package io.memberpulse.campaign.domain;

import java.time.Instant;

/**
 * An outcome as stored, with its task after recording.
 *
 * @param taskStatus      DONE once recorded
 * @param calledFromStore the store whose staff made the call: the task's, or the one it moved from
 *                        (OutcomeRules.decide); the call counts against that store's day capacity
 * @param repeated        true when this answers a repeated submit that changed nothing
 */
public record RecordedOutcome(CallTask task, String taskStatus, Outcome outcome, String calledFromStore,
        Instant recordedAt, boolean repeated) {
}
