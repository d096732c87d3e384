package io.memberpulse.campaign;

import io.memberpulse.campaign.domain.ChurnFact;
import io.memberpulse.campaign.domain.MemberRisk;
import io.memberpulse.campaign.domain.ScoreUpdate;
import io.memberpulse.campaign.store.CallListCache;
import io.memberpulse.campaign.store.CallTaskRepository;
import io.memberpulse.campaign.store.IdentityChangeRepository;
import io.memberpulse.campaign.store.MemberRiskRepository;
import io.memberpulse.proto.kafka.Topics;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Takes a batch of churn scores: stores each member's newest score, moves OPEN tasks after members
 * who changed store, and replans every store touched. Idempotent: the same batch again changes nothing.
 *
 * <p>A withdrawal (a tombstone: churn-service no longer scores the member) deletes the member's score, so the replan of
 * their store cancels their OPEN churn call as for anyone no longer scored there (InterventionSop.plan); a member's
 * last record in the batch decides (ScoreUpdate), so a withdrawal never takes away a score published after it.
 *
 * <p>A score arriving under a member a merge absorbed (member.merges) is dropped: churn-service made it from that
 * member's own facts, before it applied the merge, and scores the survivor afresh, from the person's whole history,
 * once it has (ScoreMembersService rewrites the members a merge touched). Taken for the survivor, such a late, partial
 * score replaced the whole one, home store included, whenever it arrived after it. The look-up and the writes share
 * one transaction that holds the identity-change lock shared, taken before the store locks (IdentityChangeRepository),
 * so a merge applied by another replica cannot fall between them and leave a score or an OPEN call under the
 * absorbed member. A score or withdrawal under an erased member (erased_member) is dropped and counted (ErasedFacts),
 * decided under the same lock, so an erasure committed meanwhile cannot leave a score behind it.
 */
@ApplicationScoped
public class RecordChurnScoresService {
    private final MemberRiskRepository risks;
    private final CallTaskRepository tasks;
    private final StoreTaskPlanner planner;
    private final CallListCache cache;
    private final IdentityChangeRepository identities;
    private final ErasedFacts erasedFacts;
    private final Clock clock;

    public RecordChurnScoresService(MemberRiskRepository risks, CallTaskRepository tasks, StoreTaskPlanner planner,
            CallListCache cache, IdentityChangeRepository identities, ErasedFacts erasedFacts, Clock clock) {
        this.risks = risks;
        this.erasedFacts = erasedFacts;
        this.identities = identities;
        this.tasks = tasks;
        this.planner = planner;
        this.cache = cache;
        this.clock = clock;
    }

    /** @param scores scores and withdrawals, in the batch's order */
    public Uni<Void> record(Collection<? extends ChurnFact> scores) {
        if (scores.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Instant now = clock.instant();
        // Invalidate only after the commit, so a reader can't cache the lists as they were before it.
        List<String> members = scores.stream().map(ChurnFact::memberId).distinct().toList();
        return Panache.withTransaction(() -> identities.lockedSurvivorsOf(members)
                        .flatMap(survivors -> identities.lockedErasedAmong(members)
                                .map(erased -> ofMembersNotErased(ofMembersNotAbsorbed(scores, survivors), erased)))
                        .flatMap(kept -> apply(kept, now)))
                .flatMap(cache::invalidate);
    }

    /** Without the scores and withdrawals of erased members: dropped and counted, so they are never scored again. */
    private Collection<? extends ChurnFact> ofMembersNotErased(Collection<? extends ChurnFact> scores, Set<String> erased) {
        if (erased.isEmpty()) {
            return scores;
        }
        List<? extends ChurnFact> kept = scores.stream().filter(score -> !erased.contains(score.memberId())).toList();
        erasedFacts.dropped(Topics.CHURN_SCORES, scores.size() - kept.size());
        return kept;
    }

    /**
     * The scores and withdrawals of members no merge absorbed (survivors: absorbed member to its final survivor); the
     * merge gave an absorbed member's score to the survivor, and a withdrawal under its id must not take it away.
     */
    private static Collection<? extends ChurnFact> ofMembersNotAbsorbed(Collection<? extends ChurnFact> scores,
            Map<String, String> survivors) {
        if (survivors.isEmpty()) {
            return scores;
        }
        return scores.stream().filter(score -> !survivors.containsKey(score.memberId())).toList();
    }

    private Uni<Set<String>> apply(Collection<? extends ChurnFact> scores, Instant now) {
        List<String> memberIds = scores.stream().map(ChurnFact::memberId).distinct().toList();
        return risks.byMemberIds(memberIds).flatMap(stored -> {
            ScoreUpdate update = ScoreUpdate.of(scores, stored);
            Set<String> stores = new LinkedHashSet<>(update.affectedStores());
            List<String> withdrawn = update.withdrawn().stream().map(MemberRisk::memberId).toList();
            // A moving member's OPEN task may sit in a store neither score names (a segment rule's call): the task
            // leaves it, so it is replanned, and under its lock, taken with the others in one sorted pass. So may a
            // withdrawn member's.
            List<String> leaving = new ArrayList<>(withdrawn);
            update.storeChanges().forEach(score -> leaving.add(score.memberId()));
            return tasks.storesOfOpenTasks(leaving)
                    .invoke(stores::addAll)
                    .chain(() -> planner.lock(stores))
                    .call(() -> StoreTaskPlanner.inOrder(update.accepted(), score -> risks.save(score, now)))
                    .call(() -> risks.deleteAll(withdrawn))
                    .call(() -> StoreTaskPlanner.inOrder(update.storeChanges(),
                            member -> tasks.follow(member, now).call(left -> lockLate(stores, left))))
                    .call(risks::flush)
                    .call(() -> StoreTaskPlanner.inOrder(List.copyOf(stores), store -> planner.replan(store, now)
                            .invoke(stores::addAll)))
                    .replaceWith(stores);
        });
    }

    /**
     * A task that moved to another store between the read above and the locks (another transaction's call): that
     * store is locked now, out of the sorted order; should that deadlock, PostgreSQL aborts one transaction and its
     * batch is consumed again.
     */
    private Uni<Void> lockLate(Set<String> stores, String left) {
        if (left == null || !stores.add(left)) {
            return Uni.createFrom().voidItem();
        }
        return planner.lock(List.of(left));
    }
}
