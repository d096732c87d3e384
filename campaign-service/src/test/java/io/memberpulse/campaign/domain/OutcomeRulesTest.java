package io.memberpulse.campaign.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class OutcomeRulesTest {
    static final Instant NOW = Instant.parse("2024-03-05T10:00:00Z");
    static final Duration GRACE = Duration.ofHours(24);
    static final Outcome WILL_RETURN = new Outcome(true, OutcomeResult.WILL_RETURN, "coming Saturday", null);

    /** Record it, counting against the store's day capacity. */
    static OutcomeRules.Ruling record(String calledFromStore) {
        return new OutcomeRules.Ruling(OutcomeRules.Decision.RECORD, calledFromStore);
    }

    /** Answer as before; the store the first submit counted for. */
    static OutcomeRules.Ruling repeat(String calledFromStore) {
        return new OutcomeRules.Ruling(OutcomeRules.Decision.REPEAT, calledFromStore);
    }

    static OutcomeRules.TaskState open(long version) {
        return new OutcomeRules.TaskState("t1", "s1", "OPEN", version, null, null, null, null, null);
    }

    @Test
    void anOpenTaskAtTheVersionTheCallerSawIsRecorded() {
        assertThat(OutcomeRules.decide(open(3), WILL_RETURN, 3, "s1", NOW, GRACE)).isEqualTo(record("s1"));
        // Head office calls for the task's store.
        assertThat(OutcomeRules.decide(open(3), WILL_RETURN, 3, null, NOW, GRACE)).isEqualTo(record("s1"));
    }

    @Test
    void aStaleVersionIsAConflictNotAnOverwrite() {
        assertThatThrownBy(() -> OutcomeRules.decide(open(4), WILL_RETURN, 3, "s1", NOW, GRACE))
                .isInstanceOf(TaskConflictException.class).hasMessageContaining("version 3");
    }

    @Test
    void theSameOutcomeAgainIsARepeatAndAnotherOneAConflict() {
        var done = new OutcomeRules.TaskState("t1", "s1", "DONE", 4, "outcome recorded", NOW,
                new Outcome(true, OutcomeResult.WILL_RETURN, " coming Saturday ", null), null, null);
        assertThat(OutcomeRules.decide(done, WILL_RETURN, 3, "s1", NOW, GRACE)).isEqualTo(repeat("s1"));
        assertThat(OutcomeRules.decide(done, WILL_RETURN, 3, null, NOW, GRACE)).isEqualTo(repeat("s1"));
        assertThatThrownBy(() -> OutcomeRules.decide(done,
                new Outcome(true, OutcomeResult.NOT_INTERESTED, "", null), 3, "s1", NOW, GRACE))
                .isInstanceOf(TaskConflictException.class);
    }

    @Test
    void anotherStoresTaskDoesNotExistForTheCaller() {
        assertThatThrownBy(() -> OutcomeRules.decide(open(0), WILL_RETURN, 0, "s2", NOW, GRACE))
                .isInstanceOf(TaskNotFoundException.class);
        // Staff whose token names no store: no task is theirs (not every task, as null would be).
        assertThatThrownBy(() -> OutcomeRules.decide(open(0), WILL_RETURN, 0, "", NOW, GRACE))
                .isInstanceOf(TaskNotFoundException.class);
        // not even a task whose store is blank (no writer stores one today; the rule must not depend on that)
        var storeless = new OutcomeRules.TaskState("t1", "", "OPEN", 0, null, null, null, null, null);
        assertThatThrownBy(() -> OutcomeRules.decide(storeless, WILL_RETURN, 0, "", NOW, GRACE))
                .isInstanceOf(TaskNotFoundException.class);
    }

    static OutcomeRules.TaskState cancelled(CloseReason reason, Instant closedAt) {
        return new OutcomeRules.TaskState("t1", "s1", "CANCELLED", 2, reason.text(), closedAt, null, null, null);
    }

    /** The list staff called from carried the version before the cancel (2 - 1). */
    @Test
    void aCallCancelledUnderStaffIsRecordedWithinTheGraceAtTheVersionTheirListCarried() {
        for (CloseReason reason : new CloseReason[] {CloseReason.RISK_FELL, CloseReason.LEFT_SEGMENT}) {
            assertThat(OutcomeRules.decide(cancelled(reason, NOW.minus(GRACE)), WILL_RETURN, 1, "s1", NOW, GRACE))
                    .isEqualTo(record("s1"));
            assertThat(OutcomeRules.decide(cancelled(reason, NOW), WILL_RETURN, 1, null, NOW, GRACE))
                    .isEqualTo(record("s1"));
        }
        assertThatThrownBy(() -> OutcomeRules.decide(cancelled(CloseReason.RISK_FELL, NOW.minus(GRACE).minusSeconds(1)),
                WILL_RETURN, 1, "s1", NOW, GRACE))
                .isInstanceOf(TaskConflictException.class).hasMessageContaining("risk fell");
        assertThatThrownBy(() -> OutcomeRules.decide(cancelled(CloseReason.RISK_FELL, NOW), WILL_RETURN, 0, "s1", NOW, GRACE))
                .isInstanceOf(TaskConflictException.class);
        assertThatThrownBy(() -> OutcomeRules.decide(cancelled(CloseReason.RISK_FELL, NOW), WILL_RETURN, 1, "s2", NOW, GRACE))
                .isInstanceOf(TaskNotFoundException.class);
    }

    /** The rule decide applies and CallTaskRepository.cancelHeldOut queries: closed for these reasons, since then. */
    @Test
    void callsCancelledUnderStaffAreThoseClosedForRiskFellOrLeftTheSegmentWithinTheGrace() {
        var underStaff = OutcomeRules.cancelledUnderStaff(NOW, GRACE);
        assertThat(underStaff.closedSince()).isEqualTo(NOW.minus(GRACE));
        assertThat(underStaff.closeReasons())
                .containsExactlyInAnyOrder(CloseReason.RISK_FELL.text(), CloseReason.LEFT_SEGMENT.text());
        assertThat(underStaff.holds(CloseReason.LEFT_SEGMENT.text(), NOW.minus(GRACE))).isTrue();
        assertThat(underStaff.holds(CloseReason.RISK_FELL.text(), NOW)).isTrue();
        assertThat(underStaff.holds(CloseReason.RISK_FELL.text(), NOW.minus(GRACE).minusSeconds(1))).isFalse();
        assertThat(underStaff.holds(CloseReason.HELD_OUT.text(), NOW)).isFalse();
        assertThat(underStaff.holds(CloseReason.RISK_FELL.text(), null)).isFalse();
    }

    @Test
    void aCallHeldOutOrMergedTakesNoOutcome() {
        for (CloseReason reason : new CloseReason[] {CloseReason.HELD_OUT, CloseReason.MERGED, CloseReason.NO_HOME_STORE}) {
            assertThatThrownBy(() -> OutcomeRules.decide(cancelled(reason, NOW), WILL_RETURN, 1, "s1", NOW, GRACE))
                    .isInstanceOf(TaskConflictException.class).hasMessageContaining(reason.text());
        }
    }

    /** Moved from s1 to s2 at movedAt: the move took the version from 1 (s1's list) to 2. */
    static OutcomeRules.TaskState moved(String status, long version, Instant movedAt, Outcome recorded) {
        return new OutcomeRules.TaskState("t1", "s2", status, version, status.equals("DONE") ? "outcome recorded" : null,
                status.equals("DONE") ? NOW : null, recorded, "s1", movedAt);
    }

    @Test
    void aCallOnATaskThatMovedIsRecordedByTheStoreItLeftWithinTheGraceAtTheVersionTheirListCarried() {
        // The store it left made the call: it counts against s1's day capacity, not s2's.
        assertThat(OutcomeRules.decide(moved("OPEN", 2, NOW.minus(GRACE), null), WILL_RETURN, 1, "s1", NOW, GRACE))
                .isEqualTo(record("s1"));
        // The new store records at the current version, as on any task of theirs; so does head office, for it.
        assertThat(OutcomeRules.decide(moved("OPEN", 2, NOW, null), WILL_RETURN, 2, "s2", NOW, GRACE))
                .isEqualTo(record("s2"));
        assertThat(OutcomeRules.decide(moved("OPEN", 2, NOW, null), WILL_RETURN, 2, null, NOW, GRACE))
                .isEqualTo(record("s2"));
        // The same submit again, once it closed the task (version 3).
        assertThat(OutcomeRules.decide(moved("DONE", 3, NOW, WILL_RETURN), WILL_RETURN, 1, "s1", NOW, GRACE))
                .isEqualTo(repeat("s1"));
    }

    @Test
    void pastTheGraceOfTheMoveOrAtAnotherVersionTheStoreItLeftFindsNoTask() {
        for (long version : new long[] {0, 2}) {
            assertThatThrownBy(() -> OutcomeRules.decide(moved("OPEN", 2, NOW, null), WILL_RETURN, version, "s1", NOW, GRACE))
                    .isInstanceOf(TaskNotFoundException.class);
        }
        assertThatThrownBy(() -> OutcomeRules.decide(moved("OPEN", 2, NOW.minus(GRACE).minusSeconds(1), null), WILL_RETURN,
                1, "s1", NOW, GRACE)).isInstanceOf(TaskNotFoundException.class);
        // Another outcome on the closed task, or a third store: nothing to find either.
        assertThatThrownBy(() -> OutcomeRules.decide(moved("DONE", 3, NOW, WILL_RETURN),
                new Outcome(true, OutcomeResult.NOT_INTERESTED, "", null), 1, "s1", NOW, GRACE))
                .isInstanceOf(TaskNotFoundException.class);
        assertThatThrownBy(() -> OutcomeRules.decide(moved("OPEN", 2, NOW, null), WILL_RETURN, 1, "s3", NOW, GRACE))
                .isInstanceOf(TaskNotFoundException.class);
        // A task held out after the move is the campaign's holdout; one cancelled under staff takes no other
        // version than the one their list carried, nor past the grace of the cancel.
        assertThatThrownBy(() -> OutcomeRules.decide(movedThenCancelled(CloseReason.HELD_OUT, NOW), WILL_RETURN, 1, "s1",
                NOW, GRACE)).isInstanceOf(TaskNotFoundException.class);
        for (long version : new long[] {0, 2, 3}) {
            assertThatThrownBy(() -> OutcomeRules.decide(movedThenCancelled(CloseReason.RISK_FELL, NOW), WILL_RETURN,
                    version, "s1", NOW, GRACE)).isInstanceOf(TaskNotFoundException.class);
        }
        assertThatThrownBy(() -> OutcomeRules.decide(movedThenCancelled(CloseReason.RISK_FELL,
                NOW.minus(GRACE).minusSeconds(1)), WILL_RETURN, 1, "s1", NOW, GRACE))
                .isInstanceOf(TaskNotFoundException.class);
    }

    /** Moved from s1 to s2 at NOW (version 1 to 2), then cancelled there at closedAt (version 3), in one replan. */
    static OutcomeRules.TaskState movedThenCancelled(CloseReason reason, Instant closedAt) {
        return new OutcomeRules.TaskState("t1", "s2", "CANCELLED", 3, reason.text(), closedAt, null, "s1", NOW);
    }

    /**
     * A score that moves the member's home store and drops the call there in one transaction (follow, then the new
     * store's replan) moves the version by two: the store it left still records the call it made.
     */
    @Test
    void aCallMovedAndThenCancelledUnderStaffIsRecordedByTheStoreItLeftAtTheVersionTheirListCarried() {
        for (CloseReason reason : new CloseReason[] {CloseReason.RISK_FELL, CloseReason.LEFT_SEGMENT}) {
            assertThat(OutcomeRules.decide(movedThenCancelled(reason, NOW), WILL_RETURN, 1, "s1", NOW, GRACE))
                    .isEqualTo(record("s1"));
        }
        // The same submit again, once it closed the task (version 4).
        var done = new OutcomeRules.TaskState("t1", "s2", "DONE", 4, "outcome recorded", NOW, WILL_RETURN, "s1", NOW);
        assertThat(OutcomeRules.decide(done, WILL_RETURN, 1, "s1", NOW, GRACE)).isEqualTo(repeat("s1"));
    }

    @Test
    void reachedAndResultMustAgree() {
        assertThatThrownBy(() -> new Outcome(false, OutcomeResult.WILL_RETURN, "", null))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.field()).isEqualTo("result"));
        assertThatThrownBy(() -> new Outcome(true, OutcomeResult.NOT_REACHED, "", null))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> OutcomeResult.parse("maybe"))
                .isInstanceOfSatisfying(InvalidArgumentException.class,
                        e -> assertThat(e.reason()).contains("will_return"));
        assertThat(new Outcome(false, OutcomeResult.NOT_REACHED, null, LocalDate.of(2024, 3, 2)).note()).isEmpty();
    }
}
