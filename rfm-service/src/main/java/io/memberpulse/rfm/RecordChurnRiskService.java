package io.memberpulse.rfm;

import io.memberpulse.proto.churn.v1.ChurnScored;
import io.memberpulse.rfm.store.ChurnRiskRepository;
import io.memberpulse.rfm.store.IdentityChangeRepository;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Keeps each member's latest churn probability from churn.scores, for the risk tags; when rule
 * segments exist (they may test churn_probability) the scored members are recomputed at once.
 * A score under a member a merge absorbed is skipped: churn-service re-scores the survivor from
 * the merged facts and publishes that, and the merge deleted the absorbed member's score here.
 */
@ApplicationScoped
public class RecordChurnRiskService {
    private final ChurnRiskRepository risks;
    private final IdentityChangeRepository identities;
    private final RuleSegments definitions;
    private final RecomputeRfmService recompute;

    public RecordChurnRiskService(ChurnRiskRepository risks, IdentityChangeRepository identities, RuleSegments definitions,
            RecomputeRfmService recompute) {
        this.risks = risks;
        this.identities = identities;
        this.definitions = definitions;
        this.recompute = recompute;
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

    /** Records usable scores (see problemOf). */
    public Uni<Void> record(List<ChurnScored> scores) {
        List<ChurnRiskRepository.Risk> scored = scores.stream()
                .map(s -> new ChurnRiskRepository.Risk(s.getMemberId(), s.getProbability(),
                        Instant.ofEpochSecond(s.getAsOf().getSeconds(), s.getAsOf().getNanos())))
                .toList();
        Set<String> members = scored.stream().map(ChurnRiskRepository.Risk::memberId).collect(Collectors.toSet());
        // Under the identity-change lock (shared), so a merge applied meanwhile is either seen or deletes the score.
        return identities.inRecordingTransaction(connection -> risks.upsertUnlessAbsorbed(connection, scored))
                // Blocking (rule definitions, recomputation): off the event loop.
                .chain(() -> Uni.createFrom().item(() -> {
                    if (!members.isEmpty() && !definitions.all().isEmpty()) {
                        recompute.recomputeMembers(members);
                    }
                    return members;
                }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()).replaceWithVoid());
    }
}
