package io.memberpulse.churn;

import io.memberpulse.churn.domain.ChurnScore;
import io.memberpulse.churn.domain.MemberNotFoundException;
import io.memberpulse.churn.domain.model.TrainedChurnModel;
import io.memberpulse.churn.store.ScoreCache;
import io.memberpulse.churn.store.ScoreRepository;
import io.memberpulse.churn.store.StreamClockRepository;
import io.memberpulse.proto.auth.Callers;
import io.memberpulse.proto.redis.RedisBackoff;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Reads: answered from Redis; PostgreSQL when Redis lost them (flushed or restarted) and until they are refilled, while
 * Redis cannot be reached (a failover) or does not answer within memberpulse.churn.redis-read-timeout (then skipped for
 * the back-off, ScoreCache), and while this replica knows of scores Redis missed that are not repaired yet
 * (ScoreCacheWrites): the pod stays ready on PostgreSQL alone (proto.health.DependencyChecks).
 */
@ApplicationScoped
public class ScoreQueryService {
    private static final Logger LOG = Logger.getLogger(ScoreQueryService.class);
    private final ScoreRepository repository;
    private final StreamClockRepository streamClock;
    private final ScoreCache cache;
    private final ScoreCacheWrites cacheWrites;
    private final ModelRegistry models;

    public ScoreQueryService(ScoreRepository repository, StreamClockRepository streamClock, ScoreCache cache,
            ScoreCacheWrites cacheWrites, ModelRegistry models) {
        this.repository = repository;
        this.streamClock = streamClock;
        this.cache = cache;
        this.cacheWrites = cacheWrites;
        this.models = models;
    }

    public Uni<ChurnScore> score(String memberId) {
        Uni<Optional<ChurnScore>> fromRedis = cacheWrites.missesPending() ? Uni.createFrom().item(Optional.empty())
                : cache.get(memberId);
        return fromRedis
                .onFailure().recoverWithItem(failure -> redisFailed("score", failure, Optional.<ChurnScore>empty()))
                .flatMap(cached -> cached.isPresent() ? Uni.createFrom().item(cached) : repository.score(memberId))
                .map(found -> found.orElseThrow(() -> new MemberNotFoundException(memberId)));
    }

    /**
     * The member's score if the caller may read it: analysts any member's; store staff a member whose home store (the
     * store TopRisk ranks them under) is the store of their token. Any other member, one with no home store among
     * them, is answered as an unknown member is (MemberNotFoundException, the same message): never as forbidden, so
     * that staff cannot learn who is a member at another store. GetScore and ExplainScore, over REST and gRPC, all
     * read through here.
     */
    public Uni<ChurnScore> scoreFor(String memberId, SecurityIdentity caller) {
        return score(memberId).map(found -> {
            // no home store (null, or "" when the member's orders named none): staff see it never, analysts always
            if (!Callers.maySee(caller, found.homeStoreId())) {
                throw new MemberNotFoundException(memberId);
            }
            return found;
        });
    }

    /** The most members a top-risk ranking answers (REST and gRPC alike). */
    public static final int MAX_TOP_K = 1_000;
    /** How many a top-risk ranking answers when the caller names no k (REST and gRPC alike). */
    public static final int DEFAULT_TOP_K = 10;

    /**
     * storeId null = all stores. From Redis's rankings while they hold every score; from PostgreSQL while they do
     * not (Redis lost its data, or evicted a ranked member's score, and the refill has not finished: a ranking holding
     * only the members scored since would leave the riskiest out).
     */
    public Uni<List<ChurnScore>> top(String storeId, int k) {
        Uni<Optional<List<ChurnScore>>> fromRedis = cacheWrites.missesPending()
                ? Uni.createFrom().item(Optional.empty()) : cache.topIfComplete(storeId, k);
        return fromRedis
                .onFailure().recoverWithItem(failure -> redisFailed("top-risk ranking", failure, Optional.empty()))
                .flatMap(cached -> cached.isPresent() ? Uni.createFrom().item(cached.get()) : repository.top(storeId, k));
    }

    private static <T> T redisFailed(String what, Throwable failure, T instead) {
        if (failure instanceof RedisBackoff.SkippedException) {
            LOG.debugf("%s read from PostgreSQL: %s", what, failure.getMessage());
        } else {
            LOG.warnf("%s not read from Redis, read from PostgreSQL: %s", what, failure);
        }
        return instead;
    }

    /**
     * @param model the promoted version this replica scores with; null before any (the rhythm baseline)
     * @param scoredByModel scores made by that version: equal to scored once a promotion has re-scored everyone
     */
    public record Totals(long members, long scored, String model, long scoredByModel, Instant clock) {
    }

    public Uni<Totals> totals() {
        String model = models.current().map(TrainedChurnModel::version).orElse(null);
        return repository.totals(model).flatMap(counts -> streamClock.watermark()
                .map(clock -> new Totals(counts[0], counts[1], model, counts[2], clock.orElse(null))));
    }
}
