package io.memberpulse.campaign.store;

import io.memberpulse.campaign.domain.Outcome;
import io.memberpulse.campaign.domain.OutcomeResult;
import io.memberpulse.campaign.domain.OutcomeRules;
import io.memberpulse.campaign.domain.RecordedOutcome;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;

/** Outcomes of calls (task_outcome) and the closing of their tasks. Callers bring the transaction. */
@ApplicationScoped
public class TaskOutcomeRepository implements PanacheRepositoryBase<TaskOutcomeEntity, String> {

    /** The task as the outcome rules need it; null when there is no such task. */
    public Uni<OutcomeRules.TaskState> state(String taskId) {
        return CallTaskEntity.<CallTaskEntity>findById(taskId).flatMap(task -> {
            if (task == null) {
                return Uni.createFrom().nullItem();
            }
            return findById(taskId).map(recorded -> new OutcomeRules.TaskState(task.id, task.storeId, task.status,
                    task.version, task.closeReason, recorded == null ? null : outcome(recorded)));
        });
    }

    /**
     * Closes the task as DONE and stores the outcome. The task's version is checked again by
     * Hibernate on flush, so a concurrent update fails here instead of being overwritten.
     */
    public Uni<RecordedOutcome> record(String taskId, Outcome outcome, Instant now) {
        return CallTaskEntity.<CallTaskEntity>findById(taskId).flatMap(task -> {
            task.status = CallTaskEntity.DONE;
            task.closedAt = now;
            task.closeReason = "outcome recorded";
            TaskOutcomeEntity row = new TaskOutcomeEntity();
            row.taskId = task.id;
            row.memberId = task.memberId;
            row.storeId = task.storeId;
            row.reached = outcome.reached();
            row.result = outcome.result().name();
            row.note = outcome.note();
            row.followUpDate = outcome.followUpDate();
            row.recordedAt = now;
            return persist(row).call(this::flush)
                    .map(ignored -> new RecordedOutcome(EntityMapper.callTask(task), task.status, outcome, now, false));
        });
    }

    /** The task and outcome as recorded before (for a repeated submit). */
    public Uni<RecordedOutcome> recorded(String taskId) {
        return CallTaskEntity.<CallTaskEntity>findById(taskId).flatMap(task -> findById(taskId)
                .map(row -> new RecordedOutcome(EntityMapper.callTask(task), task.status, outcome(row), row.recordedAt, true)));
    }

    public Uni<List<RecordedOutcome>> unpublished(Instant recordedBefore, int limit) {
        return find("publishedAt is null and recordedAt < ?1 order by recordedAt", recordedBefore).page(0, limit).list()
                // One session runs one query at a time: read the tasks one after another.
                .flatMap(rows -> io.smallrye.mutiny.Multi.createFrom().iterable(rows)
                        .onItem().transformToUniAndConcatenate(row -> recorded(row.taskId))
                        .collect().asList());
    }

    public Uni<Void> markPublished(String taskId, Instant at) {
        return update("publishedAt = ?1 where taskId = ?2", at, taskId).replaceWithVoid();
    }

    private static Outcome outcome(TaskOutcomeEntity row) {
        return new Outcome(row.reached, OutcomeResult.valueOf(row.result), row.note, row.followUpDate);
    }
}
