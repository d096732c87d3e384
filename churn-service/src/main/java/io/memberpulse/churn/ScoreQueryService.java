package io.memberpulse.churn;

import io.memberpulse.churn.domain.ChurnScore;
import io.memberpulse.churn.domain.MemberNotFoundException;
import io.memberpulse.churn.store.ChurnRepository;
import io.memberpulse.churn.store.ScoreCache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;

/** Reads: answered from Redis; PostgreSQL only when Redis lost them (flushed or restarted). */
@ApplicationScoped
public class ScoreQueryService {
    private final ChurnRepository repository;
    private final ScoreCache cache;

    public ScoreQueryService(ChurnRepository repository, ScoreCache cache) {
        this.repository = repository;
        this.cache = cache;
    }

    public Uni<ChurnScore> score(String memberId) {
        return cache.get(memberId)
                .flatMap(cached -> cached.isPresent() ? Uni.createFrom().item(cached) : repository.score(memberId))
                .map(found -> found.orElseThrow(() -> new MemberNotFoundException(memberId)));
    }

    /** storeId null = all stores. */
    public Uni<List<ChurnScore>> top(String storeId, int k) {
        return cache.top(storeId, k).flatMap(cached -> cached.isEmpty() ? repository.top(storeId, k)
                : Uni.createFrom().item(cached));
    }

    public record Totals(long members, long scored, Instant clock) {
    }

    public Uni<Totals> totals() {
        return repository.totals().flatMap(counts -> repository.watermark()
                .map(clock -> new Totals(counts[0], counts[1], clock.orElse(null))));
    }
}
