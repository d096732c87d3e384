package io.memberpulse.campaign;

import io.memberpulse.campaign.domain.CloseReason;
import io.memberpulse.campaign.domain.MemberRisk;
import io.memberpulse.campaign.domain.OpenTask;
import io.memberpulse.campaign.domain.SegmentRules;
import io.memberpulse.campaign.domain.TaskOrigin;
import io.memberpulse.campaign.store.CallTaskRepository;
import io.memberpulse.campaign.store.IdentityChangeRepository;
import io.memberpulse.campaign.store.MemberSegmentRepository;
import io.memberpulse.campaign.store.StoreLocks;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The segment-entry SOP rules, inside the caller's transaction: entering a rule's segment opens a call task where
 * {@link SegmentCallStores} places the member, unless the member already has an OPEN task, is cooling down after a
 * call, opted out on one, or is held out of a live call campaign. Leaving the segment cancels it (or another rule whose
 * segment the member is still in takes it over). Changes are applied
 * under the planning locks of the stores they touch, as a replan of those stores takes them.
 */
@ApplicationScoped
class SegmentTaskPlanner {
    private final CallTaskRepository tasks;
    private final SegmentCallStores callStores;
    private final StoreLocks locks;
    private final LiveCallCampaigns liveCalls;
    private final IdentityChangeRepository identities;
    private final MemberSegmentRepository segments;
    private final SegmentRules rules;
    private final Duration coolDown;
    private final ZoneId dayZone;

    SegmentTaskPlanner(CallTaskRepository tasks, SegmentCallStores callStores, StoreLocks locks,
            LiveCallCampaigns liveCalls, IdentityChangeRepository identities, MemberSegmentRepository segments,
            SegmentRules rules, CampaignConfig config) {
        this.tasks = tasks;
        this.segments = segments;
        this.identities = identities;
        this.callStores = callStores;
        this.locks = locks;
        this.liveCalls = liveCalls;
        this.rules = rules;
        this.coolDown = Duration.ofDays(config.campaign().coolDownDays());
        this.dayZone = ZoneId.of(config.campaign().dayZone());
    }

    boolean triggers(String segmentId) {
        return rules.triggers(segmentId);
    }

    /** The rules' segments, each with the origin of the tasks its rule opens. */
    Map<String, String> originBySegment() {
        return rules.segments().stream().collect(Collectors.toMap(segment -> segment, TaskOrigin::segment));
    }

    /**
     * Applies the changes in order, but those of members a merge absorbed: the person is called under the survivor's
     * id (see RecordSegmentsService). That is decided under the identity-change lock, taken shared first, so no merge
     * is applied before this transaction commits. Then takes the planning locks of every store the changes may touch,
     * sorted as every replan takes them: a replan of one of those stores, which may open a call for the same member,
     * waits for this transaction or is waited for, so neither breaks the one-OPEN-task index (nor do both deadlock on
     * the same tasks). Returns the stores whose call lists changed.
     */
    Uni<Set<String>> apply(List<MemberSegmentRepository.Change> changes, Instant now) {
        List<String> members = changes.stream().map(MemberSegmentRepository.Change::memberId).toList();
        return identities.lockedSurvivorsOf(members)
                .map(absorbed -> changes.stream().filter(change -> !absorbed.containsKey(change.memberId())).toList())
                // A member erased since the memberships were written: never called (their memberships are gone).
                .flatMap(notAbsorbed -> identities.lockedErasedAmong(members).map(erased -> notAbsorbed.stream()
                        .filter(change -> !erased.contains(change.memberId())).toList()))
                .flatMap(kept -> applyUnderStoreLocks(kept, now));
    }

    private Uni<Set<String>> applyUnderStoreLocks(List<MemberSegmentRepository.Change> changes, Instant now) {
        Set<String> changed = new TreeSet<>();
        if (changes.isEmpty()) {
            return Uni.createFrom().item(changed);
        }
        return callStores.touchedBy(changes).call(locks::lock)
                .flatMap(locked -> StoreTaskPlanner.inOrder(changes, change -> apply(change, locked, now).invoke(store -> {
                    if (store != null) {
                        changed.add(store);
                    }
                })))
                .replaceWith(changed);
    }

    /** Returns the store whose call list changed, or null. */
    private Uni<String> apply(MemberSegmentRepository.Change change, Set<String> locked, Instant now) {
        return change.entered() ? open(change, locked, now) : close(change, now);
    }

    private Uni<String> open(MemberSegmentRepository.Change change, Set<String> locked, Instant now) {
        String member = change.memberId();
        return tasks.openOf(member).flatMap(open -> !open.isEmpty() ? armsOfCalled(change, open.get(0), now)
                : tasks.calledSince(member, now.minus(coolDown)).flatMap(cooling -> cooling ? Uni.createFrom().nullItem()
                        : tasks.awaitingFollowUp(member, LocalDate.ofInstant(now, dayZone)).flatMap(waiting -> waiting
                        ? Uni.createFrom().<String>nullItem()
                        : tasks.optedOut(member).flatMap(optedOut -> optedOut ? Uni.createFrom().nullItem()
                                : callStores.of(change).flatMap(placement -> placement.store() == null
                                        ? Uni.createFrom().nullItem()
                                        : lockAlso(placement.store(), locked).chain(() -> open(change, placement, now)))))));
    }

    /**
     * A member entering a segment while holding an OPEN call (another rule's) opens no second one, but may now meet a
     * live call campaign's target: enrolled now, not at the store's next replan, so that a held-out member's call is
     * cancelled before staff make it, and a treated member's counts for the campaign. Returns the store whose call
     * list changed, or null.
     */
    private Uni<String> armsOfCalled(MemberSegmentRepository.Change change, OpenTask open, Instant now) {
        return tasks.storeOf(open.taskId()).flatMap(calledIn -> callStores.of(change).flatMap(placement -> {
            MemberRisk member = entering(change, placement.store() != null ? placement.store() : calledIn, placement.score());
            return liveCalls.arms(List.of(member), now).flatMap(arms -> {
                if (arms.heldOut().contains(member.memberId())) {
                    return tasks.flush().chain(() -> tasks.cancelHeldOut(List.of(member.memberId()), now))
                            .map(stores -> stores.isEmpty() ? null : stores.iterator().next());
                }
                String campaign = arms.treatedCampaign().get(member.memberId());
                return campaign == null ? Uni.createFrom().<String>nullItem()
                        : tasks.flush().chain(() -> tasks.countFor(Map.of(member.memberId(), campaign)))
                                .replaceWith(calledIn);
            });
        }));
    }

    /**
     * A score that moved the member to another store since the locks were taken: that store's lock as well, out of
     * order (rare; PostgreSQL breaks a deadlock it could cause and the batch is retried).
     */
    private Uni<Void> lockAlso(String store, Set<String> locked) {
        return locked.add(store) ? locks.lock(List.of(store)) : Uni.createFrom().voidItem();
    }

    private Uni<String> open(MemberSegmentRepository.Change change, SegmentCallStores.Placement placement, Instant now) {
        MemberRisk member = entering(change, placement.store(), placement.score());
        return liveCalls.arms(List.of(member), now).flatMap(arms -> arms.heldOut().contains(member.memberId())
                ? Uni.createFrom().nullItem()
                : tasks.open(member, placement.score() != null, now, now.plus(rules.dueIn(change.segmentId())),
                        TaskOrigin.segment(change.segmentId()),
                        arms.treatedCampaign().get(member.memberId())).call(tasks::flush).replaceWith(placement.store()));
    }

    /**
     * The entering member as the campaigns and the call list rank them; an unscored one: nothing at risk yet (0, after
     * every scored call), its task opened as unscored so that staff are not told "churn risk 0%".
     */
    private static MemberRisk entering(MemberSegmentRepository.Change change, String store, MemberRisk score) {
        return new MemberRisk(change.memberId(), store, score == null ? 0 : score.probability(),
                score == null ? 0 : score.memberValue(), change.at());
    }

    /**
     * Leaving a segment cancels the call its rule opened, unless the member is still in another calling rule's segment:
     * entering that one opened no second call while they held this one, so that rule takes the call over
     * (SegmentRules.takeover) rather than leave its call unmade. Returns the store whose call list changed, or null.
     */
    private Uni<String> close(MemberSegmentRepository.Change change, Instant now) {
        String origin = TaskOrigin.segment(change.segmentId());
        return tasks.openOf(change.memberId()).flatMap(open -> open.stream().filter(t -> origin.equals(t.origin())).findFirst()
                .map(task -> segments.of(List.of(change.memberId()), rules.segments())
                        .map(memberships -> rules.takeover(task, memberships.stream()
                                .filter(membership -> !membership.segmentId().equals(change.segmentId())).toList()))
                        .flatMap(takeover -> takeover.isPresent()
                                ? tasks.handOver(task.taskId(), takeover.get().origin(), takeover.get().dueAt())
                                : tasks.cancel(task.taskId(), CloseReason.LEFT_SEGMENT, now))
                        .chain(tasks::flush)
                        .chain(() -> tasks.storeOf(task.taskId())))
                .orElse(Uni.createFrom().nullItem()));
    }
}
