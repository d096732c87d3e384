package io.memberpulse.campaign.store;

import io.memberpulse.campaign.domain.Outcome;
import io.memberpulse.campaign.domain.OutcomeResult;
import io.memberpulse.campaign.domain.OutcomeRules;
import io.memberpulse.campaign.domain.RecordedOutcome;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.OptimisticLockException;
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
                    task.version, task.closeReason, task.closedAt, recorded == null ? null : outcome(recorded),
                    task.movedFromStoreId, task.movedAt));
        });
    }

    /**
     * Closes the task as DONE (an OPEN one, or one cancelled under staff: OutcomeRules.decide) and stores the outcome,
     * if the task is still the copy {@link #state} read and the
     * caller was checked against: same version, store and member. A member merge moves an OPEN task to the survivor
     * without a new version while its store stays, on purpose (IdentityChangeRepository: staff holding it can still
     * record its outcome), so a version check alone let an outcome checked against the old store write that copy
     * back over the move. When the task changed, nothing is written and this fails with OptimisticLockException.
     *
     * @param calledFromStore the store whose staff made the call (OutcomeRules.decide): the outcome counts
     *                        against its day capacity
     */
    public Uni<RecordedOutcome> record(String taskId, Outcome outcome, String calledFromStore, Instant now) {
        return CallTaskEntity.<CallTaskEntity>findById(taskId).flatMap(task -> CallTaskEntity.update("""
                        status = ?1, closedAt = ?2, closeReason = ?3, version = version + 1
                        where id = ?4 and version = ?5 and storeId = ?6 and memberId = ?7""",
                        CallTaskEntity.DONE, now, "outcome recorded", task.id, task.version, task.storeId, task.memberId)
                .flatMap(closed -> {
                    if (closed == 0) {
                        return Uni.createFrom().failure(new OptimisticLockException(
                                "task " + taskId + " changed since it was checked"));
                    }
                    TaskOutcomeEntity row = new TaskOutcomeEntity();
                    row.taskId = task.id;
                    row.memberId = task.memberId;
                    row.storeId = calledFromStore;
                    row.reached = outcome.reached();
                    row.result = outcome.result().name();
                    row.note = outcome.note();
                    row.followUpDate = outcome.followUpDate();
                    row.recordedAt = now;
                    return persist(row).call(this::flush)
                            .call(() -> Panache.getSession().flatMap(session -> session.refresh(task)))
                            .map(ignored -> new RecordedOutcome(EntityMapper.callTask(task), task.status, outcome,
                                    calledFromStore, now, false));
                }));
    }

    /** The task and outcome as recorded before (for a repeated submit). */
    public Uni<RecordedOutcome> recorded(String taskId) {
        return CallTaskEntity.<CallTaskEntity>findById(taskId).flatMap(task -> findById(taskId)
                .map(row -> new RecordedOutcome(EntityMapper.callTask(task), task.status, outcome(row), row.storeId,
                        row.recordedAt, true)));
    }

    public Uni<List<RecordedOutcome>> unpublished(Instant recordedBefore, int limit) {
        return find("publishedAt is null and recordedAt < ?1 order by recordedAt", recordedBefore).page(0, limit).list()
                // One session runs one query at a time: read the tasks one after another.
                .flatMap(rows -> io.smallrye.mutiny.Multi.createFrom().iterable(rows)
                        .onItem().transformToUniAndConcatenate(row -> recorded(row.taskId))
                        .collect().asList());
    }

    /** How many outcomes the store's staff recorded in [from, to) (in the caller's session). */
    public Uni<Long> recordedIn(String storeId, Instant from, Instant to) {
        return count("storeId = ?1 and recordedAt >= ?2 and recordedAt < ?3", storeId, from, to);
    }

    public Uni<Void> markPublished(String taskId, Instant at) {
        return update("publishedAt = ?1 where taskId = ?2", at, taskId).replaceWithVoid();
    }

    private static Outcome outcome(TaskOutcomeEntity row) {
        return new Outcome(row.reached, OutcomeResult.valueOf(row.result), row.note, row.followUpDate);
    }
}
