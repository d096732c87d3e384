package io.memberpulse.rfm;

import io.memberpulse.proto.churn.v1.ChurnScored;
import io.memberpulse.proto.kafka.Topics;
import io.memberpulse.proto.store.ErasedMembers;
import io.memberpulse.rfm.store.ChurnRiskRepository;
import io.memberpulse.rfm.store.IdentityChangeRepository;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps each member's latest churn probability from churn.scores, for the risk tags; when rule
 * segments exist (they may test churn_probability) the scored members are recomputed at once.
 * A score under a member a merge absorbed is skipped: churn-service re-scores the survivor from
 * the merged facts and publishes that, and the merge deleted the absorbed member's score here. A score or withdrawal
 * of an erased member is dropped and counted (ErasedFacts, topic churn.scores).
 * A tombstone (the member id as key, no value) withdraws the member's score: churn-service no longer scores them (no
 * purchase left after refunds, retractions or a split), so their probability and risk tags go, and rules see them
 * unscored. A member's last record in the batch decides: a withdrawal never takes away a score published after it.
 */
@ApplicationScoped
public class RecordChurnRiskService {
    private final ChurnRiskRepository risks;
    private final IdentityChangeRepository identities;
    private final SegmentDefinitions definitions;
    private final RecomputeRfmService recompute;
    private final ErasedFacts erasedFacts;

    public RecordChurnRiskService(ChurnRiskRepository risks, IdentityChangeRepository identities,
            SegmentDefinitions definitions, RecomputeRfmService recompute, ErasedFacts erasedFacts) {
        this.risks = risks;
        this.identities = identities;
        this.definitions = definitions;
        this.recompute = recompute;
        this.erasedFacts = erasedFacts;
    }

    /**
     * Why a score cannot be recorded, naming the field, or null (churn.scores dead-letters such a record). Without
     * its time a score would be stored as of 1970 and lose to any later one; a probability outside 0..1 (NaN
     * included) would be shown as a risk tag and tested by rules.
     */
    public static String problemOf(ChurnScored score) {
        if (score.getMemberId().isBlank()) {
            return "member_id: is required";
        }
        if (!score.hasAsOf()) {
            return "as_of: is required to order scores";
        }
        double probability = score.getProbability();
        if (!(probability >= 0 && probability <= 1)) {
            return "probability: must be within 0..1, was " + probability;
        }
        return null;
    }

    /** A churn.scores record as recorded: a member's score, or (risk null) the withdrawal of their score. */
    public record ChurnScoreRecord(String memberId, ChurnRiskRepository.Risk risk) {

        /** A usable score (see problemOf); an unusable one throws with the reason, naming the field. */
        public static ChurnScoreRecord scored(ChurnScored score) {
            String problem = problemOf(score);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            return new ChurnScoreRecord(score.getMemberId(), new ChurnRiskRepository.Risk(score.getMemberId(),
                    score.getProbability(), Instant.ofEpochSecond(score.getAsOf().getSeconds(), score.getAsOf().getNanos())));
        }

        /** A tombstone keyed by the member id. */
        public static ChurnScoreRecord withdrawn(String memberId) {
            return new ChurnScoreRecord(memberId, null);
        }
    }

    /** Records a batch's scores and withdrawals, given in the batch's order. */
    public Uni<Void> record(List<ChurnScoreRecord> records) {
        Set<String> withdrawn = new LinkedHashSet<>();
        Map<String, ChurnRiskRepository.Risk> scoredSince = new LinkedHashMap<>();
        for (ChurnScoreRecord one : records) {
            if (one.risk() == null) {
                withdrawn.add(one.memberId());
                scoredSince.remove(one.memberId());
            } else {
                scoredSince.merge(one.memberId(), one.risk(), (kept, next) -> next.asOf().isBefore(kept.asOf()) ? kept : next);
            }
        }
        Set<String> members = new LinkedHashSet<>(withdrawn);
        members.addAll(scoredSince.keySet());
        // Under the identity-change lock (shared), so a merge or erasure applied meanwhile is either seen or deletes the
        // score. Withdrawals first: a score after a member's withdrawal replaces nothing, whatever the time of the one
        // stored. The records of erased members are dropped (counted), not recorded.
        return identities.inRecordingTransaction(connection -> ErasedMembers.among(connection, members)
                        .chain(erased -> {
                            if (!erased.isEmpty()) {
                                erasedFacts.dropped(Topics.CHURN_SCORES, records.stream().filter(r -> erased.contains(r.memberId())).count());
                                members.removeAll(erased);
                                withdrawn.removeAll(erased);
                                erased.forEach(scoredSince::remove);
                            }
                            List<ChurnRiskRepository.Risk> scored = List.copyOf(scoredSince.values());
                            return risks.delete(connection, withdrawn).chain(() -> risks.upsertUnlessAbsorbed(connection, scored));
                        }))
                // Blocking (rule definitions, recomputation): off the event loop.
                .chain(() -> Uni.createFrom().item(() -> {
                    if (!members.isEmpty() && !definitions.all().isEmpty()) {
                        recompute.recomputeMembers(members);
                    }
                    return members;
                }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()).replaceWithVoid());
    }
}
