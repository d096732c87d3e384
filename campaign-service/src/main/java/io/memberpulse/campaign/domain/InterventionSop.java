package io.memberpulse.campaign.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
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
        return storeMembers.stream()
                .filter(member -> member.probability() >= minProbability)
                .filter(member -> !coolingDown.contains(member.memberId()))
                .sorted(RISKIEST_FIRST)
                .limit(quota(storeMembers.size()))
                .toList();
    }

    /**
     * What to change in a store's churn-top-share tasks. A task once opened keeps its due time: a member dropping out
     * of the top share and back in, or a riskier member arriving, does not restart the 72 hours. The tasks of the
     * selected members stay; a task whose member is no longer selected stays too while it is not yet due, its member
     * is at or above the floor and the quota has room for it (after the selected members' tasks; riskiest first);
     * otherwise it is cancelled ("risk fell"), as are tasks of members skipped (cooling down, opted out, held out,
     * called elsewhere) or no longer scored in the store. New tasks open, riskiest first, only in the slots of the
     * quota the kept ones leave, so the store never holds more than its quota of churn calls.
     *
     * @param storeMembers the store's scored members (their number sets the quota)
     * @param skipped      members passed over whatever their risk
     * @param ownTasks     the store's OPEN tasks of this rule
     */
    public TaskPlan plan(Collection<MemberRisk> storeMembers, Set<String> skipped, Collection<OpenTask> ownTasks,
            Instant now) {
        List<MemberRisk> selected = select(storeMembers, skipped);
        Set<String> selectedIds = selected.stream().map(MemberRisk::memberId).collect(Collectors.toSet());
        Map<String, MemberRisk> byMember = storeMembers.stream()
                .collect(Collectors.toMap(MemberRisk::memberId, Function.identity(), (a, b) -> a));
        int quota = quota(storeMembers.size());
        List<MemberRisk> keptOrOpened = new ArrayList<>();
        Set<String> holding = new HashSet<>();
        ownTasks.stream().filter(task -> selectedIds.contains(task.memberId()))
                .forEach(task -> keep(byMember.get(task.memberId()), keptOrOpened, holding));
        ownTasks.stream().filter(task -> !selectedIds.contains(task.memberId()))
                .filter(task -> task.dueAt().isAfter(now) && !skipped.contains(task.memberId()))
                .map(task -> byMember.get(task.memberId()))
                .filter(member -> member != null && member.probability() >= minProbability)
                .sorted(RISKIEST_FIRST)
                .limit(Math.max(0, quota - keptOrOpened.size()))
                .forEach(member -> keep(member, keptOrOpened, holding));
        int slots = Math.max(0, quota - keptOrOpened.size());
        for (MemberRisk member : selected) {
            if (slots > 0 && !holding.contains(member.memberId())) {
                keptOrOpened.add(member);
                slots--;
            }
        }
        return TaskPlan.reconcile(keptOrOpened, ownTasks);
    }

    private static void keep(MemberRisk member, List<MemberRisk> kept, Set<String> holding) {
        kept.add(member);
        holding.add(member.memberId());
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
