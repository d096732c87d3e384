package io.memberpulse.rfm;

import io.memberpulse.proto.churn.v1.ChurnScored;
import io.memberpulse.rfm.store.ChurnRiskRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;

/** Keeps each member's latest churn probability from churn.scores, for the risk tags. */
@ApplicationScoped
public class RecordChurnRiskService {
    private final ChurnRiskRepository risks;

    public RecordChurnRiskService(ChurnRiskRepository risks) {
        this.risks = risks;
    }

    public Uni<Void> record(List<ChurnScored> scores) {
        return risks.upsert(scores.stream()
                .filter(s -> !s.getMemberId().isEmpty())
                .map(s -> new ChurnRiskRepository.Risk(s.getMemberId(), s.getProbability(),
                        Instant.ofEpochSecond(s.getAsOf().getSeconds(), s.getAsOf().getNanos())))
                .toList());
    }
}
