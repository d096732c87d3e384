package io.memberpulse.rfm;

import io.memberpulse.proto.churn.v1.ChurnScored;
import io.memberpulse.rfm.store.ChurnRiskRepository;
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
 */
@ApplicationScoped
public class RecordChurnRiskService {
    private final ChurnRiskRepository risks;
    private final RuleSegments definitions;
    private final RecomputeRfmService recompute;

    public RecordChurnRiskService(ChurnRiskRepository risks, RuleSegments definitions, RecomputeRfmService recompute) {
        this.risks = risks;
        this.definitions = definitions;
        this.recompute = recompute;
    }

    public Uni<Void> record(List<ChurnScored> scores) {
        List<ChurnRiskRepository.Risk> scored = scores.stream()
                .filter(s -> !s.getMemberId().isEmpty())
                .map(s -> new ChurnRiskRepository.Risk(s.getMemberId(), s.getProbability(),
                        Instant.ofEpochSecond(s.getAsOf().getSeconds(), s.getAsOf().getNanos())))
                .toList();
        Set<String> members = scored.stream().map(ChurnRiskRepository.Risk::memberId).collect(Collectors.toSet());
        // Blocking (rule definitions, recomputation): off the event loop.
        return risks.upsert(scored).chain(() -> Uni.createFrom().item(() -> {
            if (!members.isEmpty() && !definitions.all().isEmpty()) {
                recompute.recomputeMembers(members);
            }
            return members;
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()).replaceWithVoid());
    }
}
