package io.memberpulse.campaign.store;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;

/**
 * Transaction-scoped PostgreSQL advisory locks, one per store. Consumers of different partitions
 * may score members of the same store at once; replanning a store under its lock means the last
 * transaction to replan sees every committed score, and the sorted order rules out deadlocks.
 */
@ApplicationScoped
public class StoreLocks {

    public Uni<Void> lock(Collection<String> storeIds) {
        return Multi.createFrom().iterable(storeIds.stream().sorted().distinct().toList())
                .onItem().transformToUniAndConcatenate(this::lock)
                .collect().last().replaceWithVoid();
    }

    private Uni<Object> lock(String storeId) {
        // pg_advisory_xact_lock returns void, which no result type maps; count the one row instead.
        return Panache.getSession().flatMap(session -> session
                .createNativeQuery("select count(*) from (select pg_advisory_xact_lock(hashtext(:store))) locked")
                .setParameter("store", "call-list:" + storeId)
                .getSingleResult());
    }
}
