package io.memberpulse.campaign.store;

import io.memberpulse.campaign.domain.MemberRisk;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The latest score of each member (member_risk). Callers bring the session or transaction. */
@ApplicationScoped
public class MemberRiskRepository implements PanacheRepositoryBase<MemberRiskEntity, String> {

    public Uni<Map<String, MemberRisk>> byMemberIds(Collection<String> memberIds) {
        return list("memberId in ?1", memberIds).map(rows -> rows.stream().map(EntityMapper::risk)
                .collect(Collectors.toMap(MemberRisk::memberId, Function.identity())));
    }

    /** Inserts or overwrites the member's score; rows loaded by {@link #byMemberIds} come from the session. */
    public Uni<Void> save(MemberRisk score, Instant now) {
        return findById(score.memberId()).flatMap(found -> {
            MemberRiskEntity row = found != null ? found : new MemberRiskEntity();
            row.memberId = score.memberId();
            row.storeId = score.storeId();
            row.probability = score.probability();
            row.memberValue = score.memberValue();
            row.asOf = score.asOf();
            row.updatedAt = now;
            return found != null ? Uni.createFrom().voidItem() : persist(row).replaceWithVoid();
        });
    }

    /** Deletes the members' scores (rows loaded by {@link #byMemberIds} come from the session). */
    public Uni<Void> deleteAll(Collection<String> memberIds) {
        // One after another: a Hibernate Reactive session allows a single operation at a time.
        return Multi.createFrom().iterable(memberIds).onItem().transformToUniAndConcatenate(this::deleteById)
                .collect().last().replaceWithVoid();
    }

    public Uni<List<MemberRisk>> inStore(String storeId) {
        return list("storeId", storeId).map(rows -> rows.stream().map(EntityMapper::risk).toList());
    }


    public Uni<Long> countStores() {
        return Panache.getSession().flatMap(session -> session
                .createSelectionQuery("select count(distinct m.storeId) from MemberRiskEntity m", Long.class)
                .getSingleResult());
    }
}
