package io.memberpulse.campaign;

import io.memberpulse.campaign.domain.CampaignStats;
import io.memberpulse.campaign.store.CallTaskRepository;
import io.memberpulse.campaign.store.MemberRiskRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class CampaignStatsService {
    private final MemberRiskRepository risks;
    private final CallTaskRepository tasks;

    public CampaignStatsService(MemberRiskRepository risks, CallTaskRepository tasks) {
        this.risks = risks;
        this.tasks = tasks;
    }

    @WithSession
    public Uni<CampaignStats> stats() {
        return risks.count().flatMap(members -> risks.countStores()
                .flatMap(stores -> tasks.countOpen().map(open -> new CampaignStats(members, stores, open))));
    }
}
