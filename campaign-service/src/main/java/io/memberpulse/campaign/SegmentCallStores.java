package io.memberpulse.campaign;

import io.memberpulse.campaign.domain.MemberRisk;
import io.memberpulse.campaign.store.CallTaskRepository;
import io.memberpulse.campaign.store.MemberRiskRepository;
import io.memberpulse.campaign.store.MemberSegmentRepository;
import io.memberpulse.campaign.store.PurchaseRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where a segment rule calls a member: the store churn-service scored them in (where the churn SOP plans them: its
 * ties between stores go otherwise than ours), else their home store (most orders in the 90 days before the entry),
 * else the store rfm-service reported. Within the caller's session.
 */
@ApplicationScoped
class SegmentCallStores {
    private final MemberRiskRepository risks;
    private final PurchaseRepository purchases;
    private final CallTaskRepository tasks;

    SegmentCallStores(MemberRiskRepository risks, PurchaseRepository purchases, CallTaskRepository tasks) {
        this.risks = risks;
        this.purchases = purchases;
        this.tasks = tasks;
    }

    /**
     * @param store where to call the member, null when nowhere
     * @param score the member's score, null when unscored
     */
    record Placement(String store, MemberRisk score) {
    }

    /** Where the entering member is called, as of now. */
    Uni<Placement> of(MemberSegmentRepository.Change entry) {
        return risks.byMemberIds(List.of(entry.memberId())).flatMap(scored -> of(entry, scored.get(entry.memberId())));
    }

    /**
     * Every store the changes may touch, for the planning locks taken before they are applied: where each entering
     * member would be called, and where the members' OPEN calls are (the ones a leaving member's exit cancels).
     */
    Uni<Set<String>> touchedBy(List<MemberSegmentRepository.Change> changes) {
        List<String> members = changes.stream().map(MemberSegmentRepository.Change::memberId).distinct().toList();
        List<MemberSegmentRepository.Change> entries = changes.stream().filter(MemberSegmentRepository.Change::entered).toList();
        Set<String> stores = new TreeSet<>();
        return tasks.openStoresOf(members).invoke(stores::addAll)
                .chain(() -> risks.byMemberIds(members))
                .chain(scored -> StoreTaskPlanner.inOrder(entries, entry -> of(entry, scored.get(entry.memberId()))
                        .invoke(placement -> {
                            if (placement.store() != null) {
                                stores.add(placement.store());
                            }
                        })))
                .replaceWith(stores);
    }

    private Uni<Placement> of(MemberSegmentRepository.Change entry, MemberRisk score) {
        if (score != null && score.hasStore()) {
            return Uni.createFrom().item(new Placement(score.storeId(), score));
        }
        String member = entry.memberId();
        return purchases.homeStores(List.of(member), entry.at())
                .map(homes -> new Placement(homes.getOrDefault(member, entry.homeStoreId()), score));
    }
}
