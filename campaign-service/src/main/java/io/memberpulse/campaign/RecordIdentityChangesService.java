package io.memberpulse.campaign;

import io.memberpulse.campaign.store.IdentityChangeRepository;
import io.memberpulse.proto.kafka.Topics;
import io.memberpulse.proto.merges.IdentityChange;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * member.merges: applies each identity change once, in order (see store.IdentityChangeRepository for what moves),
 * then replans the stores involved under their locks and drops their cached call lists, so an absorbed member
 * leaves every call list. Facts still arriving under an absorbed member's id are recorded for its survivor (or
 * skipped) by their own services, under the identity-change lock (see IdentityChangeRepository). An erasure cancels
 * the members' OPEN calls (the replan gives their stores' freed capacity to others and drops the cached lists, through
 * CallListCache's missed-invalidation ledger when Redis is away); a merge or split naming an erased member moves
 * nothing and is counted as a dropped fact.
 */
@ApplicationScoped
public class RecordIdentityChangesService {
    private final IdentityChangeRepository identities;
    private final ReplanStoresService replan;
    private final MeterRegistry registry;
    private final ErasedFacts erasedFacts;
    private final Clock clock;

    RecordIdentityChangesService(IdentityChangeRepository identities, ReplanStoresService replan, MeterRegistry registry,
            ErasedFacts erasedFacts, Clock clock) {
        this.identities = identities;
        this.replan = replan;
        this.registry = registry;
        this.erasedFacts = erasedFacts;
        this.clock = clock;
    }

    public Uni<Void> record(List<IdentityChange> changes) {
        Set<String> stores = new TreeSet<>();
        return Multi.createFrom().iterable(changes)
                .onItem().transformToUniAndConcatenate(change -> identities.apply(change, clock.instant())
                        .invoke(applied -> {
                            if (applied.namesErased()) {
                                erasedFacts.dropped(Topics.MEMBER_MERGES, 1);
                                return;
                            }
                            registry.counter("memberpulse.campaign.identity.changes", "kind", kind(change),
                                    "outcome", applied.applied() ? "applied" : "already-applied").increment();
                            stores.addAll(applied.stores());
                        }))
                .collect().last()
                // A re-delivery replans too: harmless, and it finishes a replan that failed after the commit.
                .chain(() -> replan.replan(stores));
    }

    private static String kind(IdentityChange change) {
        if (change instanceof IdentityChange.Merge) {
            return "merge";
        }
        return change instanceof IdentityChange.Erasure ? "erasure" : "split";
    }
}
