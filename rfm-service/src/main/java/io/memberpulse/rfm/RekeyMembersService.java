package io.memberpulse.rfm;

import io.memberpulse.proto.merges.IdentityChange;
import io.memberpulse.rfm.store.IdentityChangeRepository;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Re-keys state on MemberMerged / MemberSplit: moves the facts (once per change), then recomputes
 * every member involved, which publishes the segments each entered or left. The recomputation runs
 * on re-delivery too: it changes nothing when the state is already right, and repairs it when a
 * crash came between the move and the recomputation.
 */
@ApplicationScoped
public class RekeyMembersService {
    private final IdentityChangeRepository identities;
    private final RecomputeRfmService recompute;
    private final MeterRegistry registry;

    public RekeyMembersService(IdentityChangeRepository identities, RecomputeRfmService recompute, MeterRegistry registry) {
        this.identities = identities;
        this.recompute = recompute;
        this.registry = registry;
    }

    /** Blocking. */
    public void apply(IdentityChange change) {
        boolean applied = identities.apply(change).await().indefinitely();
        registry.counter("memberpulse.rfm.identity.changes", "kind", change instanceof IdentityChange.Merge ? "merge" : "split",
                "outcome", applied ? "applied" : "already-applied").increment();
        recompute.recomputeMembers(membersToRecompute(change));
    }

    /** The members involved and, for a merge, the member the absorbed one now stands for (its survivor's survivor). */
    private Set<String> membersToRecompute(IdentityChange change) {
        Set<String> members = new LinkedHashSet<>(change.membersNamed());
        if (change instanceof IdentityChange.Merge merge) {
            members.addAll(identities.survivorsOf(List.of(merge.absorbedMemberId())).await().indefinitely().values());
        }
        return members;
    }
}
