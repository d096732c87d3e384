package io.memberpulse.campaign.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What to change so that a store's OPEN tasks match the members the SOP selected: open the missing
 * ones, cancel those no longer selected (or hand them over to a segment rule still owing the member a call),
 * and re-rank kept ones whose score changed.
 */
public record TaskPlan(List<MemberRisk> toOpen, List<OpenTask> toCancel, List<Refresh> toRefresh, List<Handover> toHandOver) {

    /** A kept task that takes the member's newer score. */
    public record Refresh(String taskId, MemberRisk risk) {
    }

    /** A task the churn rule drops that stays OPEN as a segment rule's call (the same task: id, version, campaign). */
    public record Handover(OpenTask task, String origin, Instant dueAt) {
    }

    public TaskPlan {
        toOpen = List.copyOf(toOpen);
        toCancel = List.copyOf(toCancel);
        toRefresh = List.copyOf(toRefresh);
        toHandOver = List.copyOf(toHandOver);
    }

    public TaskPlan(List<MemberRisk> toOpen, List<OpenTask> toCancel, List<Refresh> toRefresh) {
        this(toOpen, toCancel, toRefresh, List.of());
    }

    public static TaskPlan reconcile(List<MemberRisk> selected, Collection<OpenTask> openTasks) {
        Map<String, OpenTask> openByMember = openTasks.stream()
                .collect(Collectors.toMap(OpenTask::memberId, Function.identity()));
        Set<String> selectedIds = selected.stream().map(MemberRisk::memberId).collect(Collectors.toSet());
        List<MemberRisk> toOpen = new ArrayList<>();
        List<Refresh> toRefresh = new ArrayList<>();
        for (MemberRisk member : selected) {
            OpenTask task = openByMember.get(member.memberId());
            if (task == null) {
                toOpen.add(member);
            } else if (stale(task, member)) {
                toRefresh.add(new Refresh(task.taskId(), member));
            }
        }
        List<OpenTask> toCancel = openTasks.stream().filter(task -> !selectedIds.contains(task.memberId())).toList();
        return new TaskPlan(toOpen, toCancel, toRefresh);
    }

    /**
     * This plan, and also the numbers on tasks another rule keeps open (a segment's): whoever opened a task,
     * staff see and rank it by the member's newest score, not by the one it was opened with.
     *
     * @param members the store's members with their newest scores
     * @param othersTasks OPEN tasks of the store that other rules opened (never opened or cancelled here)
     */
    public TaskPlan refreshingAlso(Collection<MemberRisk> members, Collection<OpenTask> othersTasks) {
        Map<String, MemberRisk> byMember = members.stream()
                .collect(Collectors.toMap(MemberRisk::memberId, Function.identity(), (a, b) -> a));
        List<Refresh> refreshes = new ArrayList<>(toRefresh);
        for (OpenTask task : othersTasks) {
            MemberRisk member = byMember.get(task.memberId());
            if (member != null && stale(task, member)) {
                refreshes.add(new Refresh(task.taskId(), member));
            }
        }
        return new TaskPlan(toOpen, toCancel, refreshes, toHandOver);
    }

    /**
     * This plan, and also cancelling the tasks other rules keep open for members a live call campaign holds
     * out (their calls would contaminate the holdout, whichever rule opened them); those are not refreshed.
     */
    public TaskPlan cancellingHeldOut(Collection<OpenTask> othersTasks, Set<String> heldOut) {
        List<OpenTask> cancelled = othersTasks.stream().filter(task -> heldOut.contains(task.memberId())).toList();
        if (cancelled.isEmpty()) {
            return this;
        }
        Set<String> cancelledIds = cancelled.stream().map(OpenTask::taskId).collect(Collectors.toSet());
        List<OpenTask> cancels = new ArrayList<>(toCancel);
        cancels.addAll(cancelled);
        return new TaskPlan(toOpen, cancels, toRefresh.stream().filter(r -> !cancelledIds.contains(r.taskId())).toList(),
                toHandOver);
    }

    /**
     * Members whose churn-top-share call this plan cancels and whom no live call campaign holds out: a segment rule
     * may still owe them that call ({@link #handingOverToSegments}).
     */
    public Set<String> droppedChurnCalls(Set<String> heldOut) {
        return toCancel.stream().filter(OpenTask::fromChurnTopShare).map(OpenTask::memberId)
                .filter(member -> !heldOut.contains(member)).collect(Collectors.toSet());
    }

    /**
     * This plan, but the churn-top-share calls it cancels of members still in a segment whose rule calls stay OPEN as
     * that rule's ({@link SegmentRules#takeover}): entering the segment opened no call because they held this one, so
     * cancelling it would leave the segment's call unmade. Held-out members' calls are cancelled all the same. A handed
     * over task takes the member's newest score, as other rules' tasks do.
     *
     * @param memberships the current segments of (at least) the members of {@link #droppedChurnCalls}
     * @param members     the store's members with their newest scores
     */
    public TaskPlan handingOverToSegments(SegmentRules rules, Collection<SegmentMembership> memberships,
            Collection<MemberRisk> members, Set<String> heldOut) {
        Map<String, MemberRisk> byMember = members.stream()
                .collect(Collectors.toMap(MemberRisk::memberId, Function.identity(), (a, b) -> a));
        List<OpenTask> cancels = new ArrayList<>();
        List<Handover> handovers = new ArrayList<>(toHandOver);
        List<Refresh> refreshes = new ArrayList<>(toRefresh);
        for (OpenTask task : toCancel) {
            var takeover = task.fromChurnTopShare() && !heldOut.contains(task.memberId())
                    ? rules.takeover(task, memberships) : Optional.<SegmentRules.Takeover>empty();
            if (takeover.isEmpty()) {
                cancels.add(task);
                continue;
            }
            handovers.add(new Handover(task, takeover.get().origin(), takeover.get().dueAt()));
            MemberRisk member = byMember.get(task.memberId());
            if (member != null && stale(task, member)) {
                refreshes.add(new Refresh(task.taskId(), member));
            }
        }
        return new TaskPlan(toOpen, cancels, refreshes, handovers);
    }

    /** The task shows other figures than the member's newest score. */
    private static boolean stale(OpenTask task, MemberRisk member) {
        return task.probability() != member.probability() || task.memberValue() != member.memberValue();
    }

    public boolean isEmpty() {
        return toOpen.isEmpty() && toCancel.isEmpty() && toRefresh.isEmpty() && toHandOver.isEmpty();
    }
}
