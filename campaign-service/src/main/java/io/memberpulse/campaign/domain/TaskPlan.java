package io.memberpulse.campaign.domain;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What to change so that a store's OPEN tasks match the members the SOP selected: open the missing
 * ones, cancel those no longer selected, and re-rank kept ones whose score changed.
 */
public record TaskPlan(List<MemberRisk> toOpen, List<OpenTask> toCancel, List<Refresh> toRefresh) {

    /** A kept task that takes the member's newer score. */
    public record Refresh(String taskId, MemberRisk risk) {
    }

    public TaskPlan {
        toOpen = List.copyOf(toOpen);
        toCancel = List.copyOf(toCancel);
        toRefresh = List.copyOf(toRefresh);
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
        return new TaskPlan(toOpen, toCancel, refreshes);
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
        return new TaskPlan(toOpen, cancels, toRefresh.stream().filter(r -> !cancelledIds.contains(r.taskId())).toList());
    }

    /** The task shows other figures than the member's newest score. */
    private static boolean stale(OpenTask task, MemberRisk member) {
        return task.probability() != member.probability() || task.memberValue() != member.memberValue();
    }

    public boolean isEmpty() {
        return toOpen.isEmpty() && toCancel.isEmpty() && toRefresh.isEmpty();
    }
}
