package io.memberpulse.campaign.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The store-manager call SOP (DOMAIN.md section 4): the riskiest share of a store's scored members
 * gets a call. Members under the probability floor never do, even inside the share.
 */
public final class InterventionSop {
    /** Ties on probability go to the member with more value at stake, then by id, so a rerun picks the same people. */
    static final Comparator<MemberRisk> RISKIEST_FIRST = Comparator.comparingDouble(MemberRisk::probability).reversed()
            .thenComparing(Comparator.comparingDouble(MemberRisk::memberValue).reversed())
            .thenComparing(MemberRisk::memberId);

    private final BigDecimal topShare;
    private final double minProbability;

    public InterventionSop(double topShare, double minProbability) {
        if (!(topShare >= 0.0 && topShare <= 1.0)) {
            throw new IllegalArgumentException("top share must be between 0 and 1, was " + topShare);
        }
        if (!(minProbability >= 0.0 && minProbability <= 1.0)) {
            throw new IllegalArgumentException("minimum probability must be between 0 and 1, was " + minProbability);
        }
        // Decimal, so that 10% of 30 members is 3 and not ceil(3.0000000000000004) = 4.
        this.topShare = BigDecimal.valueOf(topShare);
        this.minProbability = minProbability;
    }

    /** The members of one store who get a call, riskiest first. */
    public List<MemberRisk> select(Collection<MemberRisk> storeMembers) {
        return select(storeMembers, Set.of());
    }

    /**
     * The same, skipping members still cooling down after a recent contact: their slot goes to the
     * next riskiest member, so the store's calls are not wasted on someone just called.
     */
    public List<MemberRisk> select(Collection<MemberRisk> storeMembers, Set<String> coolingDown) {
        return select(storeMembers, coolingDown, Set.of());
    }

    private List<MemberRisk> select(Collection<MemberRisk> storeMembers, Set<String> skipped, Set<String> unreachable) {
        return storeMembers.stream()
                .filter(member -> member.probability() >= minProbability)
                .filter(member -> !skipped.contains(member.memberId()) && !unreachable.contains(member.memberId()))
                .sorted(RISKIEST_FIRST)
                .limit(quota(storeMembers.size()))
                .toList();
    }

    /**
     * The unreachable members the SOP would have called had staff a way to reach them (in the top share, above the
     * floor, not skipped otherwise), riskiest first: the calls the store's missing phones and member numbers cost.
     */
    public List<String> passedOverUnreachable(Collection<MemberRisk> storeMembers, Set<String> unreachable,
            Set<String> skipped) {
        return select(storeMembers, skipped).stream().map(MemberRisk::memberId).filter(unreachable::contains).toList();
    }

    /**
     * What to change in a store's churn-top-share tasks. Every selected member (the top share, above the floor, not
     * skipped) holds a task: the one they have, or a new one due in 72 hours, opened at once, so a member newly in the
     * top share never waits for another member's slot (DOMAIN.md: the top 10% are called within 72 hours). A task once
     * opened keeps its due time: a member dropping out of the top share (a riskier member arriving) and back in does
     * not restart the 72 hours. So the task of a member no longer selected stays while it is not yet due and its
     * member is at or above the floor, up to another quota's worth of such tasks (riskiest first): a store may hold
     * up to twice its quota for at most 72 hours. Past its due time outside the top share, under the floor, or for a
     * member skipped (cooling down, opted out, held out, called elsewhere) or no longer scored in the store, a task is
     * cancelled ("risk fell").
     *
     * @param storeMembers the store's scored members (their number sets the quota)
     * @param skipped      members passed over whatever their risk
     * @param ownTasks     the store's OPEN tasks of this rule
     */
    public TaskPlan plan(Collection<MemberRisk> storeMembers, Set<String> skipped, Collection<OpenTask> ownTasks,
            Instant now) {
        return plan(storeMembers, Set.of(), skipped, ownTasks, now);
    }

    /**
     * The same, for a store some of whose members staff cannot reach (no phone they can dial, no POS member number):
     * those are not selected, their slot going to the next riskiest reachable member. The quota stays counted over
     * all the store's scored members, as for members skipped: the top 10% sizes the store's call budget (DOMAIN.md,
     * ¥6 a call for the top 10%), and a member without a phone does not shrink it; counted over the reachable ones, a
     * store whose phones are missing would lose calls twice. An OPEN task opened before its member became unreachable
     * is treated as one whose member left the top share: kept while not yet due (staff may already be on it, and a
     * cancel would read "risk fell"), then cancelled.
     */
    public TaskPlan plan(Collection<MemberRisk> storeMembers, Set<String> unreachable, Set<String> skipped,
            Collection<OpenTask> ownTasks, Instant now) {
        List<MemberRisk> selected = select(storeMembers, skipped, unreachable);
        Set<String> selectedIds = selected.stream().map(MemberRisk::memberId).collect(Collectors.toSet());
        Map<String, MemberRisk> byMember = storeMembers.stream()
                .collect(Collectors.toMap(MemberRisk::memberId, Function.identity(), (a, b) -> a));
        // The selected members' tasks: kept where they have one (its due time too), opened where they have none.
        List<MemberRisk> keptOrOpened = new ArrayList<>(selected);
        ownTasks.stream().filter(task -> !selectedIds.contains(task.memberId()))
                .filter(task -> task.dueAt().isAfter(now) && !skipped.contains(task.memberId()))
                .map(task -> byMember.get(task.memberId()))
                .filter(member -> member != null && member.probability() >= minProbability)
                .sorted(RISKIEST_FIRST)
                .limit(quota(storeMembers.size()))
                .forEach(keptOrOpened::add);
        return TaskPlan.reconcile(keptOrOpened, ownTasks);
    }

    /** How many calls a store of this many scored members gets: the share rounded up, at least one. */
    public int quota(int storeMembers) {
        if (storeMembers == 0) {
            return 0;
        }
        int share = topShare.multiply(BigDecimal.valueOf(storeMembers)).setScale(0, RoundingMode.CEILING).intValueExact();
        return Math.max(1, share);
    }
}
