package io.memberpulse.rfm;

import io.memberpulse.proto.redis.RedisBackoff;
import io.memberpulse.rfm.domain.LifecycleStage;
import io.memberpulse.rfm.domain.MemberHistory;
import io.memberpulse.rfm.domain.Tag;
import io.memberpulse.rfm.domain.MemberNotFoundException;
import io.memberpulse.rfm.domain.RfmCalculator;
import io.memberpulse.rfm.domain.RfmSnapshot;
import io.memberpulse.rfm.store.RfmCache;
import io.memberpulse.rfm.store.RfmReadRepository;
import io.memberpulse.rfm.store.StreamClockRepository;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/** Reads: a member's RFM now (Redis, then PostgreSQL) or as of any instant (recomputed), segments. */
@ApplicationScoped
public class RfmQueryService {
    private static final Logger LOG = Logger.getLogger(RfmQueryService.class);
    private final RfmReadRepository repository;
    private final StreamClockRepository streamClock;
    private final RfmCache cache;
    private final RfmCacheWrites cacheWrites;
    private final RfmCalculator calculator;

    private final SegmentDefinitions definitions;
    private final MemberFacts facts;

    public RfmQueryService(RfmReadRepository repository, StreamClockRepository streamClock, RfmCache cache,
            RfmCacheWrites cacheWrites, RfmConfig config, SegmentDefinitions definitions, MemberFacts facts) {
        this.repository = repository;
        this.streamClock = streamClock;
        this.cache = cache;
        this.cacheWrites = cacheWrites;
        this.definitions = definitions;
        this.facts = facts;
        this.calculator = new RfmCalculator(config.rfm().marginRates());
    }

    /**
     * Redis, else the stored row, which is then cached (a flushed or failed-over Redis fills again with the members
     * read); the stored row too while Redis cannot be reached. The row is written back with its version by the writers' compare-and-set (RfmCache.putRead): a merge or
     * split that removes the member between this read and the write-back leaves a tombstone of a later version, which
     * keeps the row read out (or removes it, if the write-back lands first), and a newer row cached meanwhile stays.
     * A failed write-back does not fail the read: the next read tries again. PostgreSQL too while Redis does not answer
     * within memberpulse.rfm.redis-read-timeout (then skipped for the back-off, RfmCache), and while this replica knows
     * of rows Redis missed that are not repaired yet (RfmCacheWrites).
     */
    public Uni<RfmSnapshot> current(String memberId) {
        Uni<Optional<RfmSnapshot>> fromRedis = cacheWrites.missesPending() ? Uni.createFrom().item(Optional.empty())
                : cache.get(memberId);
        return fromRedis
                // Redis unreachable (a failover): read PostgreSQL as on a miss; the pod stays ready without Redis
                .onFailure().recoverWithItem(failure -> {
                    if (failure instanceof RedisBackoff.SkippedException) {
                        LOG.debugf("RFM of a member read from PostgreSQL: %s", failure.getMessage());
                    } else {
                        LOG.warnf("RFM of a member not read from Redis, read from PostgreSQL: %s", failure);
                    }
                    return Optional.empty();
                })
                .flatMap(cached -> cached.isPresent() ? Uni.createFrom().item(cached)
                        : repository.find(memberId)
                                .flatMap(found -> cacheRead(found).replaceWith(found.map(RfmReadRepository.FoundRow::snapshot))))
                .map(found -> found.orElseThrow(() -> new MemberNotFoundException(memberId)));
    }

    /** Writes a row read on a miss back to Redis (see {@link #current}); separate so a test can race a merge with it. */
    Uni<Void> cacheRead(Optional<RfmReadRepository.FoundRow> found) {
        if (found.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return cache.putRead(found.get().stored(), found.get().agedTo())
                .onFailure().invoke(failure -> LOG.warnf("a row read from PostgreSQL was not cached: %s", failure.getMessage()))
                .onFailure().recoverWithNull();
    }

    /** A member's current RFM, lifecycle stage, segments and tags. */
    public record Profile(RfmSnapshot snapshot, LifecycleStage stage, List<Tag> tags) {
    }

    /** The current profile: the stored RFM, and the tags from the member's history as of the same instant. */
    public Uni<Profile> profile(String memberId) {
        return current(memberId).flatMap(snapshot -> history(memberId).map(history -> {
            LifecycleStage stage = definitions.stageOf(snapshot.rfm());
            return new Profile(snapshot, stage, definitions.tagsOf(snapshot.rfm(), stage, history));
        }));
    }

    /**
     * The member's RFM at that instant: same facts, same calculator as the live computation. Segments by today's
     * definitions (a rule defined today applied to the past, as its backfill did), or, with {@code definitionsThen},
     * by those in force then (rules defined and not yet retired, their text, the thresholds and the configured lifecycle
     * rules as they were), asOf being compared with the service's clock at each change of them; weighted F and margin M
     * then with the margin rates in force then too (a calculator of those rates for the query: it holds nothing else;
     * the rates come from the versions SegmentDefinitions caches, no query).
     */
    public Uni<RfmSnapshot> asOf(String memberId, Instant asOf, boolean definitionsThen) {
        return history(memberId).flatMap(history -> {
            if (!history.isKnown()) {
                throw new MemberNotFoundException(memberId);
            }
            if (!definitionsThen) {
                return Uni.createFrom().item(definitions.membership(definitions.inForce())
                        .rowAt(calculator, memberId, history, asOf));
            }
            var calculatorThen = new RfmCalculator(definitions.marginRatesAt(asOf));
            return definitions.inForceAt(asOf).map(then -> definitions.membership(then)
                    .rowAt(calculatorThen, memberId, history, asOf));
        });
    }

    private Uni<MemberHistory> history(String memberId) {
        return Uni.createFrom().item(() -> facts.historiesOf(List.of(memberId)).getOrDefault(memberId, MemberHistory.EMPTY))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /** A segment of any kind (default, lifecycle stage, business rule) and its current size. */
    public record SegmentSize(String id, String name, String kind, String rule, long size) {
    }

    public Uni<List<SegmentSize>> segments() {
        return repository.segmentSizes().map(sizes -> {
            List<SegmentSize> all = new java.util.ArrayList<>();
            definitions.defaults().rules().forEach(r -> all.add(new SegmentSize(r.id(), r.name(), "rfm", r.description(),
                    sizes.getOrDefault(r.id(), 0L))));
            for (var stage : io.memberpulse.rfm.domain.LifecycleStage.values()) {
                all.add(new SegmentSize(stage.segmentId(), "Lifecycle: " + stage.name().toLowerCase(java.util.Locale.ROOT),
                        "lifecycle", "", sizes.getOrDefault(stage.segmentId(), 0L)));
            }
            definitions.all().forEach(d -> all.add(new SegmentSize(d.id(), d.name(), "rule", d.rule().expression(),
                    sizes.getOrDefault(d.id(), 0L))));
            return all;
        });
    }

    /** A default segment's rule as its thresholds in force say it, e.g. "R <= 6d and wF30 >= 5 and M30 >= 700". */
    public String defaultRule(String segmentId) {
        return definitions.defaults().rules().stream().filter(r -> r.id().equals(segmentId)).findFirst()
                .map(io.memberpulse.rfm.domain.SegmentRule::description).orElseThrow();
    }

    public boolean segmentExists(String segmentId) {
        return definitions.exists(segmentId);
    }

    public Multi<RfmSnapshot> membersOf(String segmentId, String storeId) {
        return repository.membersOf(segmentId, storeId);
    }

    /** One page of a segment's members in member id order: after the member id given (null: the first), past offset. */
    public Uni<List<RfmSnapshot>> membersOf(String segmentId, String storeId, String after, int offset, int limit) {
        return repository.membersOf(segmentId, storeId, after, offset, limit);
    }

    public record Totals(long members, long purchaseLines, Instant clock) {
    }

    public Uni<Totals> totals() {
        return repository.totals().flatMap(counts -> streamClock.watermark()
                .map(clock -> new Totals(counts[0], counts[1], clock.orElse(null))));
    }
}
