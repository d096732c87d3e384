package io.memberpulse.campaign.domain;

/**
 * Whether an outcome may be recorded on a task as it stands: the rules of optimistic locking and
 * idempotent submits, as a pure function.
 */
public final class OutcomeRules {
    private OutcomeRules() {
    }

    /** The task as stored. */
    public record TaskState(String taskId, String storeId, String status, long version, String closeReason,
            Outcome recorded) {
    }

    public enum Decision {
        /** Record it: the task is open and the caller saw its current version. */
        RECORD,
        /** The same outcome was recorded before: answer as then, change nothing, publish nothing. */
        REPEAT
    }

    /**
     * Whether the caller may act on a task of this store; else TaskNotFoundException, as for an unknown task: staff
     * cannot even learn that another store's task exists.
     *
     * @param callerStoreId as for {@link #decide}
     */
    public static void checkCaller(String taskId, String taskStoreId, String callerStoreId) {
        // "" never matches, not even a task whose store is blank: an unbound staff token reaches no task.
        if (callerStoreId != null && (callerStoreId.isEmpty() || !callerStoreId.equals(taskStoreId))) {
            throw new TaskNotFoundException(taskId);
        }
    }

    /**
     * @param callerStoreId the store a staff member is bound to, "" when they are bound to none (then no task
     *                      is theirs), or null when the caller is not store-bound (head office: every store)
     */
    public static Decision decide(TaskState task, Outcome outcome, long expectedVersion, String callerStoreId) {
        checkCaller(task.taskId(), task.storeId(), callerStoreId);
        switch (task.status()) {
            case "DONE" -> {
                if (outcome.sameAs(task.recorded())) {
                    return Decision.REPEAT;
                }
                throw new TaskConflictException("task " + task.taskId() + " already has another outcome");
            }
            case "CANCELLED" -> throw new TaskConflictException("task " + task.taskId() + " was cancelled ("
                    + task.closeReason() + ")");
            default -> {
                if (expectedVersion != task.version()) {
                    throw new TaskConflictException("task " + task.taskId() + " changed since version " + expectedVersion
                            + " (now " + task.version() + "): re-read it");
                }
                return Decision.RECORD;
            }
        }
    }
}
