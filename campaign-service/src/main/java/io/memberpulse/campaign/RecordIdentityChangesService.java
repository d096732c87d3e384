package io.memberpulse.campaign;

import io.memberpulse.campaign.domain.MemberRisk;
import io.memberpulse.campaign.store.IdentityChangeRepository;
import io.memberpulse.proto.merges.IdentityChange;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * member.merges: applies each identity change once, in order (see store.IdentityChangeRepository for what moves),
 * then replans the stores involved under their locks and drops their cached call lists, so an absorbed member
 * leaves every call list. Also answers where facts still arriving under an absorbed member's id belong.
 */
@ApplicationScoped
public class RecordIdentityChangesService {
    private final IdentityChangeRepository identities;
    private final ReplanStoresService replan;
    private final MeterRegistry registry;
    private final Clock clock;

    RecordIdentityChangesService(IdentityChangeRepository identities, ReplanStoresService replan, MeterRegistry registry,
            Clock clock) {
        this.identities = identities;
        this.replan = replan;
        this.registry = registry;
        this.clock = clock;
    }

    public Uni<Void> record(List<IdentityChange> changes) {
        Set<String> stores = new TreeSet<>();
        return Multi.createFrom().iterable(changes)
                .onItem().transformToUniAndConcatenate(change -> identities.apply(change, clock.instant())
                        .invoke(applied -> {
                            registry.counter("memberpulse.campaign.identity.changes",
                                    "kind", change instanceof IdentityChange.Merge ? "merge" : "split",
                                    "outcome", applied.applied() ? "applied" : "already-applied").increment();
                            stores.addAll(applied.stores());
                        }))
                .collect().last()
                // A re-delivery replans too: harmless, and it finishes a replan that failed after the commit.
                .chain(() -> replan.replan(stores));
    }

    /** The final survivor of each given member that a merge absorbed; members not absorbed are absent. */
    public Uni<Map<String, String>> survivorsOf(Collection<String> memberIds) {
        return identities.survivorsOf(memberIds);
    }

    /** The scores, each under its member's final survivor when a merge absorbed the member. */
    public Uni<List<MemberRisk>> underSurvivors(List<MemberRisk> scores) {
        return survivorsOf(scores.stream().map(MemberRisk::memberId).toList())
                .map(survivors -> survivors.isEmpty() ? scores : scores.stream()
                        .map(score -> survivors.containsKey(score.memberId())
                                ? new MemberRisk(survivors.get(score.memberId()), score.storeId(), score.probability(),
                                        score.memberValue(), score.asOf())
                                : score)
                        .toList());
    }
}
