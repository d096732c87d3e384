package io.memberpulse.campaign.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

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

    /** How many calls a store of this many scored members gets: the share rounded up, at least one. */
    public int quota(int storeMembers) {
        if (storeMembers == 0) {
            return 0;
        }
        int share = topShare.multiply(BigDecimal.valueOf(storeMembers)).setScale(0, RoundingMode.CEILING).intValueExact();
        return Math.max(1, share);
    }
}
