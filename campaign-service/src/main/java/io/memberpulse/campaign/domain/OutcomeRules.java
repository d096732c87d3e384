package io.memberpulse.campaign.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * Whether an outcome may be recorded on a task as it stands: the rules of optimistic locking and
 * idempotent submits, as a pure function.
 */
public final class OutcomeRules {
    private OutcomeRules() {
    }

    /**
     * Why the service cancels a call while staff may be making it, their list still showing it: the call they made
     * is still theirs to record for a while (see {@link #decide}). Held out and merged are not: that call is
     * another campaign's holdout, or the person's other OPEN call (a call campaign holding the member out later marks
     * such a task held out, CallTaskRepository.cancelHeldOut).
     */
    private static final Set<String> CANCELLED_UNDER_STAFF = Set.of(CloseReason.RISK_FELL.text(),
            CloseReason.LEFT_SEGMENT.text());

    /**
     * The calls cancelled under staff that still take a late outcome: closed for one of {@code closeReasons} at or
     * after {@code closedSince}. The one rule of {@link #decide} and of the query that holds such calls out
     * (CallTaskRepository.cancelHeldOut), so a change to it reaches both.
     */
    public record CancelledUnderStaff(Set<String> closeReasons, Instant closedSince) {
        public boolean holds(String closeReason, Instant closedAt) {
            return closeReasons.contains(closeReason) && closedAt != null && !closedAt.isBefore(closedSince);
        }
    }

    /** The calls cancelled under staff whose outcome staff may still record at {@code now}. */
    public static CancelledUnderStaff cancelledUnderStaff(Instant now, Duration lateGrace) {
        return new CancelledUnderStaff(CANCELLED_UNDER_STAFF, now.minus(lateGrace));
    }

    /**
     * The task as stored; closedAt null while it is OPEN; movedFromStoreId and movedAt null unless it moved to the
     * member's new home store.
     */
    public record TaskState(String taskId, String storeId, String status, long version, String closeReason,
            Instant closedAt, Outcome recorded, String movedFromStoreId, Instant movedAt) {
    }

    public enum Decision {
        /** Record it: the task is open and the caller saw its current version. */
        RECORD,
        /** The same outcome was recorded before: answer as then, change nothing, publish nothing. */
        REPEAT
    }

    /**
     * @param calledFromStore the store whose staff made the call: the caller's when it is the store the task moved
     *                        from (the call counts against that store's day capacity, not the new store's), else the
     *                        task's
     */
    public record Ruling(Decision decision, String calledFromStore) {
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
     * A task the service cancelled for risk fell or left the segment (no longer scored is risk fell) takes an outcome
     * within {@code lateGrace} of its cancel, sent with the version the caller's list carried (the cancel moved it by
     * one): a manager may have been on the phone, and a real call that is lost leaves the member without cool-down and
     * untreated for churn-service. It is then recorded as on an OPEN task.
     *
     * <p>Likewise an OPEN task that moved to the member's new home store takes an outcome from staff of the store it
     * left within {@code lateGrace} of the move, sent with the version their list carried (the move moved it by one),
     * also once it was then cancelled under staff within the grace (by two); the same submit again is a repeat.
     * Anything else of theirs on it is refused as for any other store's task.
     *
     * @param callerStoreId the store a staff member is bound to, "" when they are bound to none (then no task
     *                      is theirs), or null when the caller is not store-bound (head office: every store)
     * @return the decision, with the store the outcome counts for: the caller's for the store the task moved from
     */
    public static Ruling decide(TaskState task, Outcome outcome, long expectedVersion, String callerStoreId,
            Instant now, Duration lateGrace) {
        if (fromStoreMovedFrom(task, callerStoreId)) {
            return new Ruling(decideMovedAway(task, outcome, expectedVersion, now, lateGrace), callerStoreId);
        }
        checkCaller(task.taskId(), task.storeId(), callerStoreId);
        return new Ruling(decideOwn(task, outcome, expectedVersion, now, lateGrace), task.storeId());
    }

    /** For the task's own store (or head office). */
    private static Decision decideOwn(TaskState task, Outcome outcome, long expectedVersion, Instant now,
            Duration lateGrace) {
        switch (task.status()) {
            case "DONE" -> {
                if (outcome.sameAs(task.recorded())) {
                    return Decision.REPEAT;
                }
                throw new TaskConflictException("task " + task.taskId() + " already has another outcome");
            }
            case "CANCELLED" -> {
                if (cancelledUnderStaff(task, now, lateGrace) && expectedVersion == task.version() - 1) {
                    return Decision.RECORD;
                }
                throw new TaskConflictException("task " + task.taskId() + " was cancelled (" + task.closeReason() + ")");
            }
            default -> {
                if (expectedVersion != task.version()) {
                    throw new TaskConflictException("task " + task.taskId() + " changed since version " + expectedVersion
                            + " (now " + task.version() + "): re-read it");
                }
                return Decision.RECORD;
            }
        }
    }

    private static boolean fromStoreMovedFrom(TaskState task, String callerStoreId) {
        return callerStoreId != null && !callerStoreId.isEmpty() && !callerStoreId.equals(task.storeId())
                && callerStoreId.equals(task.movedFromStoreId());
    }

    /**
     * For staff of the store the task moved from: nothing but the move (or their own outcome since) changed it, or the
     * move and then a cancel under staff within the grace (a score moving the member's home store replans the new
     * store in the same transaction, which may drop the call: the version moved by two).
     */
    private static Decision decideMovedAway(TaskState task, Outcome outcome, long expectedVersion, Instant now,
            Duration lateGrace) {
        if (task.movedAt() != null && !now.isAfter(task.movedAt().plus(lateGrace))) {
            if (task.status().equals("OPEN") && expectedVersion == task.version() - 1) {
                return Decision.RECORD;
            }
            if (task.status().equals("CANCELLED") && cancelledUnderStaff(task, now, lateGrace)
                    && expectedVersion == task.version() - 2) {
                return Decision.RECORD;
            }
            // Recording closed it and moved the version by one more (after the move, or after the move and a cancel).
            if (task.status().equals("DONE") && outcome.sameAs(task.recorded())
                    && (expectedVersion == task.version() - 2 || expectedVersion == task.version() - 3)) {
                return Decision.REPEAT;
            }
        }
        throw new TaskNotFoundException(task.taskId());
    }

    private static boolean cancelledUnderStaff(TaskState task, Instant now, Duration lateGrace) {
        return cancelledUnderStaff(now, lateGrace).holds(task.closeReason(), task.closedAt());
    }
}
