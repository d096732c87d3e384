package io.memberpulse.campaign;

import io.memberpulse.campaign.domain.MemberRisk;
import io.memberpulse.campaign.store.CallListCache;
import io.memberpulse.campaign.store.MemberRiskRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Replans whole stores in one transaction under their locks, then drops their cached call lists and those of the
 * stores where the replan cancelled a held-out member's call.
 */
@ApplicationScoped
public class ReplanStoresService {
    private final StoreTaskPlanner planner;
    private final MemberRiskRepository risks;
    private final CallListCache cache;
    private final Clock clock;

    ReplanStoresService(StoreTaskPlanner planner, MemberRiskRepository risks, CallListCache cache, Clock clock) {
        this.planner = planner;
        this.risks = risks;
        this.cache = cache;
        this.clock = clock;
    }

    /** Replans the stores of those of the members who are scored (the SOP of no store weighs the others). */
    public Uni<Void> replanStoresOf(Collection<String> memberIds) {
        if (memberIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Panache.withSession(() -> risks.byMemberIds(memberIds))
                .map(scored -> scored.values().stream().filter(MemberRisk::hasStore).map(MemberRisk::storeId)
                        .collect(Collectors.toSet()))
                .chain(this::replan);
    }

    public Uni<Void> replan(Collection<String> storeIds) {
        if (storeIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Instant now = clock.instant();
        List<String> stores = storeIds.stream().distinct().sorted().toList();
        Set<String> changed = new TreeSet<>(stores);
        return Panache.withTransaction(() -> planner.lock(stores)
                        .call(() -> StoreTaskPlanner.inOrder(stores, store -> planner.replan(store, now).invoke(changed::addAll))))
                .chain(() -> cache.invalidate(changed));
    }
}
