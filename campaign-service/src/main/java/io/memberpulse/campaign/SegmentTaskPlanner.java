package io.memberpulse.campaign;

import io.memberpulse.campaign.domain.CloseReason;
import io.memberpulse.campaign.domain.MemberRisk;
import io.memberpulse.campaign.domain.TaskOrigin;
import io.memberpulse.campaign.store.CallTaskRepository;
import io.memberpulse.campaign.store.MemberRiskRepository;
import io.memberpulse.campaign.store.MemberSegmentRepository;
import io.memberpulse.campaign.store.PurchaseRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The segment-entry SOP rules for one member, inside the caller's transaction: entering a rule's
 * segment opens a call task in the store churn-service scored the member in (where the churn SOP plans
 * them), else in their home store (most orders in the 90 days before the entry; else the store
 * rfm-service reported), unless the member already has an OPEN task,
 * is cooling down after a call, opted out on one, or is held out of a live call campaign. Leaving the segment cancels it.
 */
@ApplicationScoped
class SegmentTaskPlanner {
    private final CallTaskRepository tasks;
    private final MemberRiskRepository risks;
    private final PurchaseRepository purchases;
    private final LiveCallCampaigns liveCalls;
    private final Map<String, Duration> dueBySegment;
    private final Duration coolDown;

    SegmentTaskPlanner(CallTaskRepository tasks, MemberRiskRepository risks, PurchaseRepository purchases,
            LiveCallCampaigns liveCalls, CampaignConfig config) {
        this.tasks = tasks;
        this.risks = risks;
        this.purchases = purchases;
        this.liveCalls = liveCalls;
        this.dueBySegment = config.campaign().segmentRules().values().stream().collect(Collectors.toMap(
                CampaignConfig.SegmentRule::segment, rule -> Duration.ofHours(rule.dueHours()), (a, b) -> a.compareTo(b) <= 0 ? a : b));
        this.coolDown = Duration.ofDays(config.campaign().coolDownDays());
    }

    boolean triggers(String segmentId) {
        return dueBySegment.containsKey(segmentId);
    }

    /** The rules' segments, each with the origin of the tasks its rule opens. */
    Map<String, String> originBySegment() {
        return dueBySegment.keySet().stream().collect(Collectors.toMap(segment -> segment, TaskOrigin::segment));
    }

    /** Returns the store whose call list changed, or null. */
    Uni<String> apply(MemberSegmentRepository.Change change, Instant now) {
        return change.entered() ? open(change, now) : close(change, now);
    }

    private Uni<String> open(MemberSegmentRepository.Change change, Instant now) {
        String member = change.memberId();
        return tasks.openOf(member).flatMap(open -> !open.isEmpty() ? Uni.createFrom().nullItem()
                : tasks.calledSince(member, now.minus(coolDown)).flatMap(cooling -> cooling ? Uni.createFrom().nullItem()
                        : tasks.optedOut(member).flatMap(optedOut -> optedOut ? Uni.createFrom().nullItem()
                                : risks.byMemberIds(List.of(member)).flatMap(scored -> open(change, scored.get(member), now)))));
    }

    private Uni<String> open(MemberSegmentRepository.Change change, MemberRisk score, Instant now) {
        if (score != null && score.hasStore()) {
            // Where the churn SOP plans the member: its ties between stores go otherwise than ours.
            return open(change, score, score.storeId(), now);
        }
        String member = change.memberId();
        return purchases.homeStores(List.of(member), change.at())
                .flatMap(homes -> open(change, score, homes.getOrDefault(member, change.homeStoreId()), now));
    }

    private Uni<String> open(MemberSegmentRepository.Change change, MemberRisk score, String store, Instant now) {
        if (store == null) {
            return Uni.createFrom().nullItem();
        }
        // An unscored member is called all the same, ranked by what is known: nothing at risk yet.
        MemberRisk member = new MemberRisk(change.memberId(), store, score == null ? 0 : score.probability(),
                score == null ? 0 : score.memberValue(), change.at());
        return liveCalls.arms(List.of(member), now).flatMap(arms -> arms.heldOut().contains(member.memberId())
                ? Uni.createFrom().nullItem()
                : tasks.open(member, now, now.plus(dueBySegment.get(change.segmentId())), TaskOrigin.segment(change.segmentId()),
                        arms.treatedCampaign().get(member.memberId())).call(tasks::flush).replaceWith(store));
    }

    private Uni<String> close(MemberSegmentRepository.Change change, Instant now) {
        String origin = TaskOrigin.segment(change.segmentId());
        return tasks.openOf(change.memberId()).flatMap(open -> open.stream().filter(t -> origin.equals(t.origin())).findFirst()
                .map(task -> tasks.cancel(task.taskId(), CloseReason.LEFT_SEGMENT, now).chain(tasks::flush)
                        .chain(() -> tasks.storeOf(task.taskId())))
                .orElse(Uni.createFrom().nullItem()));
    }
}
