package io.memberpulse.campaign.domain;

import static io.memberpulse.campaign.domain.testdata.Members.member;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TaskPlanTest {

    @Test
    void selectedMembersWithoutATaskGetOne() {
        TaskPlan plan = TaskPlan.reconcile(List.of(member("a", 0.9), member("b", 0.8)), List.of());
        assertThat(plan.toOpen()).extracting(MemberRisk::memberId).containsExactly("a", "b");
        assertThat(plan.toCancel()).isEmpty();
        assertThat(plan.toRefresh()).isEmpty();
    }

    @Test
    void anUnchangedSelectionChangesNothing() {
        MemberRisk a = member("a", 0.9);
        TaskPlan plan = TaskPlan.reconcile(List.of(a), List.of(new OpenTask("t1", "a", 0.9, 100.0)));
        assertThat(plan.isEmpty()).isTrue();
    }

    @Test
    void tasksOfMembersNoLongerSelectedAreCancelled() {
        TaskPlan plan = TaskPlan.reconcile(List.of(member("a", 0.9)),
                List.of(new OpenTask("t1", "a", 0.9, 100.0), new OpenTask("t2", "gone", 0.7, 100.0)));
        assertThat(plan.toCancel()).extracting(OpenTask::taskId).containsExactly("t2");
        assertThat(plan.toOpen()).isEmpty();
    }

    @Test
    void aKeptTaskTakesTheNewerScore() {
        TaskPlan plan = TaskPlan.reconcile(List.of(member("a", 0.95, 300.0)),
                List.of(new OpenTask("t1", "a", 0.9, 100.0)));
        assertThat(plan.toRefresh()).singleElement().satisfies(refresh -> {
            assertThat(refresh.taskId()).isEqualTo("t1");
            assertThat(refresh.risk().valueAtRisk()).isEqualTo(285.0);
        });
        assertThat(plan.toOpen()).isEmpty();
        assertThat(plan.toCancel()).isEmpty();
    }

    /**
     * A churn-edge call opened under the rhythm baseline (p 0.16, ¥21,536 of 90-day value) kept showing those
     * figures after a trained model scored the member 0.58 with no 90-day value: tasks of other rules now take
     * the newest score too, and are never opened or cancelled by the SOP's plan.
     */
    @Test
    void tasksOfOtherRulesTakeTheNewerScoreButStayTheirRulesToOpenAndClose() {
        OpenTask segmentCall = new OpenTask("t9", "edge", 0.16, 21_535.9, "segment:churn-edge");
        OpenTask unchanged = new OpenTask("t8", "same", 0.4, 50.0, "segment:churn-edge");
        OpenTask elsewhere = new OpenTask("t7", "moved", 0.3, 10.0, "segment:churn-edge");
        TaskPlan plan = TaskPlan.reconcile(List.of(member("a", 0.9)), List.of())
                .refreshingAlso(List.of(member("a", 0.9), member("edge", 0.58, 0.0), member("same", 0.4, 50.0)),
                        List.of(segmentCall, unchanged, elsewhere));
        assertThat(plan.toOpen()).extracting(MemberRisk::memberId).containsExactly("a");
        assertThat(plan.toCancel()).isEmpty();
        assertThat(plan.toRefresh()).singleElement().satisfies(refresh -> {
            assertThat(refresh.taskId()).isEqualTo("t9");
            assertThat(refresh.risk().probability()).isEqualTo(0.58);
            assertThat(refresh.risk().valueAtRisk()).isZero();
        });
    }

    /** A held-out member is never called (README, the holdout), whichever SOP rule opened the call. */
    @Test
    void tasksOfOtherRulesForHeldOutMembersAreCancelledInsteadOfRefreshed() {
        OpenTask heldOutCall = new OpenTask("t9", "held", 0.16, 100.0, "segment:churn-edge");
        OpenTask treatedCall = new OpenTask("t8", "treated", 0.16, 100.0, "segment:churn-edge");
        List<OpenTask> others = List.of(heldOutCall, treatedCall);
        TaskPlan plan = TaskPlan.reconcile(List.of(), List.of())
                .refreshingAlso(List.of(member("held", 0.6, 100.0), member("treated", 0.6, 100.0)), others)
                .cancellingHeldOut(others, Set.of("held"));
        assertThat(plan.toCancel()).extracting(OpenTask::taskId).containsExactly("t9");
        assertThat(plan.toRefresh()).extracting(TaskPlan.Refresh::taskId).containsExactly("t8");
        assertThat(plan.toOpen()).isEmpty();
    }

    @Test
    void anEmptySelectionCancelsEverything() {
        TaskPlan plan = TaskPlan.reconcile(List.of(), List.of(new OpenTask("t1", "a", 0.9, 100.0)));
        assertThat(plan.toCancel()).hasSize(1);
    }
}
