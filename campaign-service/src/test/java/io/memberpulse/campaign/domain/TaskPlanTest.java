package io.memberpulse.campaign.domain;

import static io.memberpulse.campaign.domain.testdata.Members.member;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
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

    @Test
    void anEmptySelectionCancelsEverything() {
        TaskPlan plan = TaskPlan.reconcile(List.of(), List.of(new OpenTask("t1", "a", 0.9, 100.0)));
        assertThat(plan.toCancel()).hasSize(1);
    }
}
