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
 * crash came between the move and the recomputation. MemberErased deletes the members instead (once), and
 * forgets them in memory and in Redis.
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
        if (change instanceof IdentityChange.Erasure erasure) {
            erase(erasure);
            return;
        }
        boolean applied = identities.apply(change).await().indefinitely();
        count(change instanceof IdentityChange.Merge ? "merge" : "split", applied);
        Set<String> members = membersToRecompute(change);
        // An erased member is not recomputed: that would publish its exits, and nothing more is published about them.
        members.removeAll(identities.erasedAmong(members).await().indefinitely());
        recompute.recomputeMembers(members);
    }

    /**
     * Deletes the members' rows (IdentityChangeRepository.erase), then their in-memory state and Redis keys. Only the
     * first delivery erases anything; a crash before the Redis deletion leaves it to the repair of missed writes, which
     * the erasure's transaction recorded them for.
     */
    private void erase(IdentityChange.Erasure erasure) {
        Set<String> erased = identities.erase(erasure).await().indefinitely();
        count("erasure", !erased.isEmpty());
        if (!erased.isEmpty()) {
            recompute.forgetErased(erased);
        }
    }

    private void count(String kind, boolean applied) {
        registry.counter("memberpulse.rfm.identity.changes", "kind", kind, "outcome", applied ? "applied" : "already-applied")
                .increment();
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
