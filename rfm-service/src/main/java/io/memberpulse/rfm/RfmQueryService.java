package io.memberpulse.rfm;

import io.memberpulse.rfm.domain.DefaultSegments;
import io.memberpulse.rfm.domain.MemberNotFoundException;
import io.memberpulse.rfm.domain.RfmCalculator;
import io.memberpulse.rfm.domain.SegmentRule;
import io.memberpulse.rfm.domain.RfmSnapshot;
import io.memberpulse.rfm.store.RfmCache;
import io.memberpulse.rfm.store.RfmRepository;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Reads: a member's RFM now (Redis, then PostgreSQL) or as of any instant (recomputed), segments. */
@ApplicationScoped
public class RfmQueryService {
    private final RfmRepository repository;
    private final RfmCache cache;
    private final RfmCalculator calculator;

    public RfmQueryService(RfmRepository repository, RfmCache cache, RfmConfig config) {
        this.repository = repository;
        this.cache = cache;
        this.calculator = new RfmCalculator(config.rfm().defaultMarginRate());
    }

    public Uni<RfmSnapshot> current(String memberId) {
        return cache.get(memberId)
                .flatMap(cached -> cached.isPresent()
                        ? Uni.createFrom().item(cached)
                        : repository.find(memberId).call(found -> found.map(row -> cache.putAll(List.of(row)))
                                .orElse(Uni.createFrom().voidItem())))
                .map(found -> found.orElseThrow(() -> new MemberNotFoundException(memberId)));
    }

    /** Exactly what the live computation gave at that instant: same lines, same calculator. */
    public Uni<RfmSnapshot> asOf(String memberId, Instant asOf) {
        return repository.linesOf(List.of(memberId)).map(lines -> {
            var memberLines = lines.get(memberId);
            if (memberLines == null) {
                throw new MemberNotFoundException(memberId);
            }
            var rfm = calculator.compute(memberId, memberLines, asOf);
            return new RfmSnapshot(rfm, DefaultSegments.of(rfm));
        });
    }

    public record SegmentSize(SegmentRule rule, long size) {
    }

    public Uni<List<SegmentSize>> segments() {
        return repository.segmentSizes().map(sizes -> DefaultSegments.RULES.stream()
                .map(rule -> new SegmentSize(rule, sizes.getOrDefault(rule.id(), 0L)))
                .toList());
    }

    public Optional<SegmentRule> segment(String segmentId) {
        return DefaultSegments.RULES.stream().filter(rule -> rule.id().equals(segmentId)).findFirst();
    }

    public Multi<RfmSnapshot> membersOf(String segmentId, String storeId) {
        return repository.membersOf(segmentId, storeId);
    }

    public record Totals(long members, long purchaseLines, Instant clock) {
    }

    public Uni<Totals> totals() {
        return repository.totals().flatMap(counts -> repository.watermark()
                .map(clock -> new Totals(counts[0], counts[1], clock.orElse(null))));
    }
}
