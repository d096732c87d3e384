package io.memberpulse.rfm;

import io.memberpulse.rfm.domain.MemberHistory;
import io.memberpulse.rfm.domain.Rfm;
import io.memberpulse.rfm.domain.RfmCalculator;
import io.memberpulse.rfm.domain.RfmSnapshot;
import io.memberpulse.rfm.domain.SegmentChange;
import io.memberpulse.rfm.store.RfmRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The live path: recomputes the given members from their facts as stored, whatever their rows held,
 * and writes their rows (or deletes them when no purchase is left: merged away, split off). Returns
 * what to cache and publish; the caller hands that to SegmentOutput. Called under
 * RecomputeRfmService's lock. Blocking.
 */
@ApplicationScoped
public class MemberRecomputation {
    private final RfmRepository repository;
    private final MemberFacts facts;
    private final RfmCalculator calculator;
    private final RuleSegments segmentDefinitions;
    private final MemberStates states;
    private final Timer readTime;
    private final Timer computeTime;
    private final Timer writeTime;

    public MemberRecomputation(RfmRepository repository, MemberFacts facts, RfmConfig config, RuleSegments segmentDefinitions,
            MemberStates states, MeterRegistry registry) {
        this.repository = repository;
        this.facts = facts;
        this.calculator = new RfmCalculator(config.rfm().defaultMarginRate());
        this.segmentDefinitions = segmentDefinitions;
        this.states = states;
        this.readTime = LiveTimings.stage(registry, "read");
        this.computeTime = LiveTimings.stage(registry, "compute");
        this.writeTime = LiveTimings.stage(registry, "write");
    }

    /** What a recomputation wrote: rows to cache, members whose row was deleted, segment entries and exits. */
    public record Written(List<RfmSnapshot> rows, List<String> gone, List<SegmentChange> changes) {
    }

    public Written recompute(Collection<String> memberIds, Instant asOf) {
        long t0 = System.nanoTime();
        // The stored rows are read while the facts are.
        var storedRows = repository.rowsOf(memberIds).subscribeAsCompletionStage();
        Map<String, MemberHistory> histories = facts.historiesOf(memberIds);
        Map<String, RfmRepository.StoredRow> before = storedRows.join();
        long t1 = System.nanoTime();
        List<RfmSnapshot> rows = new ArrayList<>(memberIds.size());
        List<String> gone = new ArrayList<>();
        List<SegmentChange> changes = new ArrayList<>();
        for (String memberId : memberIds) {
            MemberHistory history = histories.getOrDefault(memberId, MemberHistory.EMPTY);
            Rfm rfm = calculator.compute(memberId, history, asOf);
            boolean hasRow = history.hasRow(asOf);
            Set<String> segments = hasRow ? segmentDefinitions.segmentsOf(rfm, history) : Set.of();
            if (!hasRow) {
                gone.add(memberId); // merged away or split off: leaves every segment it was in
            } else {
                rows.add(new RfmSnapshot(rfm, segments));
            }
            RfmRepository.StoredRow stored = before.get(memberId);
            changes.addAll(SegmentChange.between(memberId, stored == null ? Set.of() : stored.snapshot().segments(), segments,
                    asOf, rfm.homeStoreId()));
        }
        long t2 = System.nanoTime();
        Instant updatedAt = states.newVersion();
        Uni.combine().all().unis(repository.upsert(rows, updatedAt), repository.delete(gone)).discardItems()
                .await().indefinitely();
        for (RfmSnapshot row : rows) {
            String memberId = row.rfm().memberId();
            states.put(memberId, histories.get(memberId), new RfmRepository.StoredRow(row, updatedAt));
        }
        gone.forEach(memberId -> states.put(memberId, histories.getOrDefault(memberId, MemberHistory.EMPTY), null));
        long t3 = System.nanoTime();
        readTime.record(Duration.ofNanos(t1 - t0));
        computeTime.record(Duration.ofNanos(t2 - t1));
        writeTime.record(Duration.ofNanos(t3 - t2));
        return new Written(rows, gone, changes);
    }
}
