package io.memberpulse.campaign.domain;

import static io.memberpulse.campaign.domain.testdata.Members.member;
import static io.memberpulse.campaign.domain.testdata.Tasks.open;
import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.campaign.domain.testdata.Tasks;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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
        TaskPlan plan = TaskPlan.reconcile(List.of(a), List.of(open("t1", "a", 0.9, 100.0)));
        assertThat(plan.isEmpty()).isTrue();
    }

    @Test
    void tasksOfMembersNoLongerSelectedAreCancelled() {
        TaskPlan plan = TaskPlan.reconcile(List.of(member("a", 0.9)),
                List.of(open("t1", "a", 0.9, 100.0), open("t2", "gone", 0.7, 100.0)));
        assertThat(plan.toCancel()).extracting(OpenTask::taskId).containsExactly("t2");
        assertThat(plan.toOpen()).isEmpty();
    }

    @Test
    void aKeptTaskTakesTheNewerScore() {
        TaskPlan plan = TaskPlan.reconcile(List.of(member("a", 0.95, 300.0)),
                List.of(open("t1", "a", 0.9, 100.0)));
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
        OpenTask segmentCall = open("t9", "edge", 0.16, 21_535.9, "segment:churn-edge");
        OpenTask unchanged = open("t8", "same", 0.4, 50.0, "segment:churn-edge");
        OpenTask elsewhere = open("t7", "moved", 0.3, 10.0, "segment:churn-edge");
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
        OpenTask heldOutCall = open("t9", "held", 0.16, 100.0, "segment:churn-edge");
        OpenTask treatedCall = open("t8", "treated", 0.16, 100.0, "segment:churn-edge");
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
        TaskPlan plan = TaskPlan.reconcile(List.of(), List.of(open("t1", "a", 0.9, 100.0)));
        assertThat(plan.toCancel()).hasSize(1);
    }

    private static final SegmentRules CHURN_EDGE = new SegmentRules(Map.of("churn-edge", Duration.ofHours(72)));

    /**
     * A member holding a churn call entered churn-edge (no second call opened), then their risk fell: the churn rule
     * cancelled the call, and the segment's call was never made. It is handed over to the segment's rule instead.
     */
    @Test
    void aDroppedChurnCallOfAMemberInACallingSegmentIsHandedOverToTheSegmentRule() {
        OpenTask churnCall = open("t1", "edge", 0.9, 100.0);
        OpenTask plainCall = open("t2", "plain", 0.9, 100.0);
        Instant entered = Tasks.OPENED.plus(Duration.ofHours(10));
        TaskPlan plan = TaskPlan.reconcile(List.of(), List.of(churnCall, plainCall));
        assertThat(plan.droppedChurnCalls(Set.of())).containsExactlyInAnyOrder("edge", "plain");

        TaskPlan handedOver = plan.handingOverToSegments(CHURN_EDGE,
                List.of(new SegmentMembership("edge", "churn-edge", entered), new SegmentMembership("plain", "loyal", entered)),
                List.of(member("edge", 0.3, 100.0), member("plain", 0.3, 100.0)), Set.of());

        assertThat(handedOver.toCancel()).extracting(OpenTask::taskId).containsExactly("t2");
        assertThat(handedOver.toHandOver()).singleElement().satisfies(handover -> {
            assertThat(handover.task().taskId()).isEqualTo("t1");
            assertThat(handover.origin()).isEqualTo("segment:churn-edge");
            // The segment's 72 hours from the entry end after the churn call's due: the due time staff have stays.
            assertThat(handover.dueAt()).isEqualTo(Tasks.DUE);
        });
        // Staff rank it by the member's newest score, as any other rule's call.
        assertThat(handedOver.toRefresh()).singleElement().satisfies(refresh -> {
            assertThat(refresh.taskId()).isEqualTo("t1");
            assertThat(refresh.risk().probability()).isEqualTo(0.3);
        });
        assertThat(handedOver.isEmpty()).isFalse();
    }

    /** A segment due sooner than the churn call counts its time from the entry. */
    @Test
    void aSoonerSegmentRuleCountsItsDueTimeFromTheEntry() {
        SegmentRules rules = new SegmentRules(Map.of("churn-edge", Duration.ofHours(24), "lapsing", Duration.ofHours(48)));
        Instant entered = Tasks.OPENED.plus(Duration.ofHours(10));
        TaskPlan plan = TaskPlan.reconcile(List.of(), List.of(open("t1", "edge", 0.9, 100.0)))
                .handingOverToSegments(rules, List.of(new SegmentMembership("edge", "lapsing", Tasks.OPENED),
                        new SegmentMembership("edge", "churn-edge", entered)), List.of(), Set.of());
        // churn-edge: entry + 24 h = opened + 34 h, before lapsing's opened + 48 h: its rule takes the call.
        assertThat(plan.toHandOver()).singleElement().satisfies(handover -> {
            assertThat(handover.origin()).isEqualTo("segment:churn-edge");
            assertThat(handover.dueAt()).isEqualTo(entered.plus(Duration.ofHours(24)));
        });
    }

    /**
     * Entered before the churn call existed (the rule opened none then, e.g. a holdout since ended): the rule relies on
     * the call only from its creation, so its time counts from there, not from an entry long past.
     */
    @Test
    void aMemberWhoEnteredBeforeTheCallWasOpenedGetsTheRuleTimeFromTheCallsCreation() {
        SegmentRules rules = new SegmentRules(Map.of("churn-edge", Duration.ofHours(24)));
        TaskPlan plan = TaskPlan.reconcile(List.of(), List.of(open("t1", "edge", 0.9, 100.0)))
                .handingOverToSegments(rules, List.of(new SegmentMembership("edge", "churn-edge",
                        Tasks.OPENED.minus(Duration.ofDays(30)))), List.of(), Set.of());
        assertThat(plan.toHandOver()).singleElement()
                .satisfies(handover -> assertThat(handover.dueAt()).isEqualTo(Tasks.OPENED.plus(Duration.ofHours(24))));
    }

    /** A held-out member is never called (README, the holdout): their call goes, segment or not. */
    @Test
    void aHeldOutMembersDroppedChurnCallIsCancelledThoughTheyAreInACallingSegment() {
        TaskPlan plan = TaskPlan.reconcile(List.of(), List.of(open("t1", "held", 0.9, 100.0)));
        assertThat(plan.droppedChurnCalls(Set.of("held"))).isEmpty();
        TaskPlan handedOver = plan.handingOverToSegments(CHURN_EDGE,
                List.of(new SegmentMembership("held", "churn-edge", Tasks.OPENED)), List.of(), Set.of("held"));
        assertThat(handedOver.toHandOver()).isEmpty();
        assertThat(handedOver.toCancel()).extracting(OpenTask::taskId).containsExactly("t1");
    }

    /** Only the churn rule's own drops are handed over; other rules' cancels (the held-out ones) stay cancels. */
    @Test
    void otherRulesCancelledCallsAreNotHandedOver() {
        OpenTask segmentCall = open("t9", "other", 0.2, 100.0, "segment:loyal");
        TaskPlan plan = TaskPlan.reconcile(List.of(), List.of()).cancellingHeldOut(List.of(segmentCall), Set.of("other"))
                .handingOverToSegments(CHURN_EDGE, List.of(new SegmentMembership("other", "churn-edge", Tasks.OPENED)),
                        List.of(), Set.of());
        assertThat(plan.toCancel()).extracting(OpenTask::taskId).containsExactly("t9");
        assertThat(plan.toHandOver()).isEmpty();
    }

    /** A kept churn call stays the churn rule's, whatever segments the member is in. */
    @Test
    void aSelectedMembersChurnCallIsKept() {
        TaskPlan plan = TaskPlan.reconcile(List.of(member("edge", 0.9)), List.of(open("t1", "edge", 0.9, 100.0)))
                .handingOverToSegments(CHURN_EDGE, List.of(new SegmentMembership("edge", "churn-edge", Tasks.OPENED)),
                        List.of(member("edge", 0.9)), Set.of());
        assertThat(plan.isEmpty()).isTrue();
    }

    /**
     * The SOP's 72 hours hold from the task's opening: a member at the edge of the top share who drops out (a riskier
     * member arrives) and back in keeps the one task with its first due time. Before, the task was cancelled as "risk
     * fell" and a new one opened due 72 hours after the re-entry, so the deadline never passed and escalation never
     * fired. The riskier member gets their call at once all the same: the store holds one call over its quota until
     * the edge's falls due (before, the riskier member waited for the slot, up to 72 hours before their own began).
     */
    @Test
    void aMemberDroppingOutOfTheTopShareAndBackKeepsOneTaskWithItsDueTime() {
        InterventionSop sop = new InterventionSop(0.10, 0.5); // 10 members: one call
        OpenTask edgeCall = open("t1", "edge", 0.8, 100.0);
        List<MemberRisk> rivalAhead = storeWith(member("edge", 0.8), member("rival", 0.9));
        TaskPlan out = sop.plan(rivalAhead, Set.of(), List.of(edgeCall), Tasks.OPENED.plus(Duration.ofHours(1)));
        assertThat(out.toCancel()).as("within its 72 hours, still above the floor").isEmpty();
        assertThat(out.toOpen()).as("the top share's member is called within 72 hours of entering it")
                .extracting(MemberRisk::memberId).containsExactly("rival");

        OpenTask rivalCall = open("t2", "rival", 0.9, 100.0);
        TaskPlan next = sop.plan(rivalAhead, Set.of(), List.of(edgeCall, rivalCall), Tasks.OPENED.plus(Duration.ofHours(2)));
        assertThat(next.isEmpty()).as("both calls stay at the next scores: the edge's until its due time").isTrue();

        List<MemberRisk> edgeAhead = storeWith(member("edge", 0.95), member("rival", 0.9));
        TaskPlan back = sop.plan(edgeAhead, Set.of(), List.of(edgeCall), Tasks.OPENED.plus(Duration.ofHours(2)));
        assertThat(back.toOpen()).isEmpty();
        assertThat(back.toCancel()).isEmpty();
        assertThat(back.toRefresh()).extracting(TaskPlan.Refresh::taskId).containsExactly("t1");
        assertThat(edgeCall.dueAt()).isEqualTo(Tasks.DUE);
    }

    /** Past its due time outside the top share, or under the floor at any time, the task goes. */
    @Test
    void aTaskOutsideTheTopShareGoesOnceDueOrWhenItsMemberFallsUnderTheFloor() {
        InterventionSop sop = new InterventionSop(0.10, 0.5);
        OpenTask edgeCall = open("t1", "edge", 0.8, 100.0);
        OpenTask rivalCall = open("t2", "rival", 0.9, 100.0);
        TaskPlan due = sop.plan(storeWith(member("edge", 0.8), member("rival", 0.9)), Set.of(),
                List.of(edgeCall, rivalCall), Tasks.DUE.plusSeconds(60));
        assertThat(due.toCancel()).extracting(OpenTask::taskId).containsExactly("t1");
        assertThat(due.toOpen()).isEmpty();

        TaskPlan stillTop = sop.plan(storeWith(member("edge", 0.8)), Set.of(), List.of(edgeCall), Tasks.DUE.plusSeconds(60));
        assertThat(stillTop.isEmpty()).as("overdue but still in the share: kept, escalated").isTrue();

        TaskPlan floor = sop.plan(storeWith(member("edge", 0.4), member("rival", 0.9)), Set.of(), List.of(edgeCall),
                Tasks.OPENED.plus(Duration.ofHours(1)));
        assertThat(floor.toCancel()).extracting(OpenTask::taskId).containsExactly("t1");
        assertThat(floor.toOpen()).extracting(MemberRisk::memberId).containsExactly("rival");

        TaskPlan heldOut = sop.plan(storeWith(member("edge", 0.8), member("rival", 0.9)), Set.of("edge"),
                List.of(edgeCall), Tasks.OPENED.plus(Duration.ofHours(1)));
        assertThat(heldOut.toCancel()).extracting(OpenTask::taskId).containsExactly("t1");
    }

    /**
     * Calls of members who left the top share stay at most another quota's worth, riskiest first: with a quota of one,
     * two such calls within their 72 hours keep the riskier one.
     */
    @Test
    void callsOutsideTheTopShareStayUpToAnotherQuotaRiskiestFirst() {
        InterventionSop sop = new InterventionSop(0.10, 0.5);
        List<OpenTask> calls = List.of(open("t1", "edge", 0.8, 100.0), open("t2", "edge2", 0.7, 100.0),
                open("t3", "rival", 0.9, 100.0));
        TaskPlan plan = sop.plan(storeWith(member("edge", 0.8), member("edge2", 0.7), member("rival", 0.9)), Set.of(),
                calls, Tasks.OPENED.plus(Duration.ofHours(1)));
        assertThat(plan.toOpen()).isEmpty();
        assertThat(plan.toCancel()).extracting(OpenTask::taskId).containsExactly("t2");
    }

    /** Ten members of store s-1: the given ones, and low-risk others. */
    private static List<MemberRisk> storeWith(MemberRisk... members) {
        List<MemberRisk> store = new java.util.ArrayList<>(List.of(members));
        for (int i = store.size(); i < 10; i++) {
            store.add(member("low" + i, 0.55));
        }
        return store;
    }
}
