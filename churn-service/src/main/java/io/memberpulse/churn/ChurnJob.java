package io.memberpulse.churn;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import io.memberpulse.churn.domain.model.TrainingProgress;
import io.memberpulse.churn.store.JobRepository;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * A training or batch-scoring job as callers see it. A queued or running job that has not beaten for
 * {@link ChurnJobs#LOST_AFTER} (by the database's clock) is reported as failed: the replica that held it stopped.
 *
 * @param asOf the facts' end; null for training at the event clock
 * @param result the outcome as JSON once it succeeded (training: version, decision and validation metrics;
 *     batch-score: members scored and the model kind)
 * @param scores where a succeeded batch-score's CSV is read
 * @param scheduledFor the cron instant of a scheduled retraining; null for a job somebody asked for
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChurnJob(UUID id, String kind, String state, Instant asOf, int horizonDays, Progress progress,
        @JsonRawValue String result, Problem problem, String scores, Instant createdAt, Instant startedAt,
        Instant finishedAt, Instant scheduledFor) {
    public static final String TRAINING = "training";
    public static final String BATCH_SCORE = "batch-score";
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";

    /** How far the running job is: its stage (key and words) and done of total within it. */
    public record Progress(String stage, String description, int done, int total) {
    }

    /** Why it failed, with the HTTP status the same error has when answered at once. */
    public record Problem(int status, String detail) {
    }

    public boolean finished() {
        return SUCCEEDED.equals(state) || FAILED.equals(state);
    }

    static ChurnJob of(JobRepository.StoredJob stored, Duration lostAfter) {
        Progress progress = stored.stage() == null ? null : new Progress(stored.stage(),
                TrainingProgress.Stage.ofKey(stored.stage()).description(), stored.done(), stored.total());
        boolean lost = stored.finishedAt() == null && stored.heartbeatAge().compareTo(lostAfter) > 0;
        String state = lost ? FAILED : stored.state();
        Problem problem = lost ? new Problem(503, "lost: the replica running the job stopped (last heard of at "
                + stored.heartbeatAt() + "); start it again")
                : stored.problemStatus() == null ? null : new Problem(stored.problemStatus(), stored.problemDetail());
        String scores = stored.hasScores() ? "/jobs/" + stored.id() + "/scores" : null;
        return new ChurnJob(stored.id(), stored.kind(), state, stored.asOf(), stored.horizonDays(), progress,
                stored.result(), problem, scores, stored.createdAt(), stored.startedAt(), stored.finishedAt(),
                stored.scheduledFor());
    }
}
