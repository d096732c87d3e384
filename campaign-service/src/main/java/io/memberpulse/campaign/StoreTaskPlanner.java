package io.memberpulse.campaign;

import io.memberpulse.campaign.domain.CloseReason;
import io.memberpulse.campaign.domain.InterventionSop;
import io.memberpulse.campaign.domain.MemberRisk;
import io.memberpulse.campaign.domain.OpenTask;
import io.memberpulse.campaign.domain.TaskOrigin;
import io.memberpulse.campaign.domain.TaskPlan;
import io.memberpulse.campaign.domain.experiment.CallArms;
import io.memberpulse.campaign.store.CallTaskRepository;
import io.memberpulse.campaign.store.MemberRiskRepository;
import io.memberpulse.campaign.store.StoreLocks;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Brings one store's churn-top-share tasks in line with the SOP, inside the caller's transaction, and the
 * scores on the store's other OPEN tasks up to date. An opened task keeps its due time; one whose member left the
 * top share stays while not yet due, above the floor and within the quota (InterventionSop.plan).
 * Members staff cannot reach (no phone they can dial, no POS member number: SopReach) are not selected either, their
 * slot going to the next riskiest reachable member; the quota stays counted over all scored members
 * (InterventionSop.plan), and how many of the top share were passed over so is the store's
 * memberpulse_campaign_sop_unreachable_members.
 * Skipped (their slot goes to the next riskiest member): members cooling down after a call or who opted out
 * on one, members held out of a live call campaign, and members who already have an OPEN task of another SOP
 * rule or in another store (a second OPEN task would break the one-per-member index and fail the whole batch
 * of scores).
 * Members held out of a live call campaign lose their OPEN calls, whichever rule opened them: the store's members
 * wherever their call is, and whoever holds a call in the store though scored elsewhere or not at all.
 * A churn-top-share call the SOP no longer wants is handed over to a segment rule instead of cancelled while the
 * member is in that rule's segment (entering it opened no second call; SegmentHandOvers).
 */
@ApplicationScoped
public class StoreTaskPlanner {
    private final MemberRiskRepository risks;
    private final CallTaskRepository tasks;
    private final StoreLocks locks;
    private final LiveCallCampaigns liveCalls;
    private final InterventionSop sop;
    private final SopReach reach;
    private final SegmentHandOvers handOvers;
    private final Duration dueIn;
    private final Duration coolDown;
    /** The calendar of follow-up dates: the days staff read. */
    private final ZoneId dayZone;

    StoreTaskPlanner(MemberRiskRepository risks, CallTaskRepository tasks, StoreLocks locks, LiveCallCampaigns liveCalls,
            InterventionSop sop, SopReach reach, SegmentHandOvers handOvers, CampaignConfig config) {
        this.risks = risks;
        this.tasks = tasks;
        this.locks = locks;
        this.liveCalls = liveCalls;
        this.sop = sop;
        this.reach = reach;
        this.handOvers = handOvers;
        this.dueIn = Duration.ofHours(config.campaign().sopDueHours());
        this.coolDown = Duration.ofDays(config.campaign().coolDownDays());
        this.dayZone = ZoneId.of(config.campaign().dayZone());
    }

    /** Takes the stores' planning locks for the rest of the caller's transaction (sorted, so no deadlock). */
    public Uni<Void> lock(Collection<String> storeIds) {
        return locks.lock(storeIds);
    }

    private record Planned(TaskPlan plan, CallArms arms, List<MemberRisk> members) {
    }

    /**
     * Returns the stores whose call lists changed: this one, and those where a held-out member of this store had
     * their call (the caller drops their cached lists after the commit).
     */
    public Uni<Set<String>> replan(String storeId, Instant now) {
        return risks.inStore(storeId).flatMap(members -> tasks.openInStore(storeId).flatMap(open -> liveCalls
                        .arms(members, calledHereNotScoredHere(open, members), now)
                        .flatMap(arms -> passedOver(storeId, now).flatMap(skipped -> reach.unreachableAmong(members)
                                .map(unreachable -> plan(storeId, members, open, arms, skipped, unreachable, now))))))
                .flatMap(this::handingOverToSegments)
                .flatMap(planned -> apply(storeId, planned, now));
    }

    private Planned plan(String storeId, List<MemberRisk> members, List<OpenTask> open, CallArms arms, Set<String> skipped,
            Set<String> unreachable, Instant now) {
        skipped.addAll(arms.heldOut());
        List<OpenTask> own = open.stream().filter(OpenTask::fromChurnTopShare).toList();
        List<OpenTask> others = open.stream().filter(task -> !task.fromChurnTopShare()).toList();
        others.forEach(task -> skipped.add(task.memberId()));
        reach.passedOver(storeId, sop.passedOverUnreachable(members, unreachable, skipped).size());
        return new Planned(sop.plan(members, unreachable, skipped, own, now)
                .refreshingAlso(members, others).cancellingHeldOut(others, arms.heldOut()), arms, members);
    }

    /** The plan, with the churn calls it drops handed over to a calling rule whose segment holds their member. */
    private Uni<Planned> handingOverToSegments(Planned planned) {
        return handOvers.of(planned.plan(), planned.members(), planned.arms().heldOut())
                .map(plan -> new Planned(plan, planned.arms(), planned.members()));
    }

    /** Members with an OPEN task in the store who are not scored in it (a segment rule's call, see README). */
    private static Set<String> calledHereNotScoredHere(List<OpenTask> open, List<MemberRisk> members) {
        Set<String> called = open.stream().map(OpenTask::memberId).collect(Collectors.toCollection(HashSet::new));
        members.forEach(member -> called.remove(member.memberId()));
        return called;
    }

    /**
     * The store's members the SOP passes over whatever their risk: cooling down after a call that reached them in any
     * store, not reached on one whose follow-up date has not come, opted out on one, or with an OPEN task in another
     * store. A member nobody answered is otherwise called again like anyone else.
     */
    private Uni<Set<String>> passedOver(String storeId, Instant now) {
        Set<String> skipped = new HashSet<>();
        return tasks.storeMembersCalledSince(storeId, now.minus(coolDown)).invoke(skipped::addAll)
                .chain(() -> tasks.storeMembersAwaitingFollowUp(storeId, LocalDate.ofInstant(now, dayZone)))
                .invoke(skipped::addAll)
                .chain(() -> tasks.storeMembersOpenElsewhere(storeId)).invoke(skipped::addAll)
                .chain(() -> tasks.storeMembersOptedOut(storeId)).invoke(skipped::addAll)
                .replaceWith(skipped);
    }

    private Uni<Set<String>> apply(String storeId, Planned planned, Instant now) {
        TaskPlan plan = planned.plan();
        CallArms arms = planned.arms();
        Set<String> changed = new HashSet<>(Set.of(storeId));
        // Held-out members' calls go below, in any store; the plan cancels the others of its store here.
        List<OpenTask> riskFell = plan.toCancel().stream().filter(task -> !arms.heldOut().contains(task.memberId())).toList();
        Uni<Void> applied = inOrder(riskFell, task -> tasks.cancel(task.taskId(), CloseReason.RISK_FELL, now))
                .call(() -> inOrder(plan.toHandOver(), handover -> tasks.handOver(handover.task().taskId(), handover.origin(),
                        handover.dueAt())))
                .call(() -> inOrder(plan.toRefresh(), refresh -> tasks.refresh(refresh.taskId(), refresh.risk())))
                .call(() -> inOrder(plan.toOpen(), member -> tasks.open(member, now, now.plus(dueIn),
                        TaskOrigin.CHURN_TOP_SHARE, arms.treatedCampaign().get(member.memberId()))))
                // Flush per store so that the one-OPEN-task-per-member index speaks up here, not at commit, and
                // before the bulk updates below.
                .call(tasks::flush);
        if (!arms.heldOut().isEmpty()) {
            applied = applied.call(() -> tasks.cancelHeldOut(arms.heldOut(), now).invoke(changed::addAll));
        }
        if (!arms.treatedCampaign().isEmpty()) {
            applied = applied.call(() -> tasks.countFor(arms.treatedCampaign()));
        }
        return applied.replaceWith(changed);
    }

    /** One after another: a Hibernate Reactive session allows a single operation at a time. */
    static <T> Uni<Void> inOrder(List<T> items, Function<T, Uni<?>> step) {
        return Multi.createFrom().iterable(items).onItem().transformToUniAndConcatenate(step)
                .collect().last().replaceWithVoid();
    }
}
