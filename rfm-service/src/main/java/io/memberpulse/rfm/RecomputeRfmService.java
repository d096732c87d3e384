package io.memberpulse.rfm;

import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.rfm.domain.MemberHistory;
import io.memberpulse.rfm.domain.Rfm;
import io.memberpulse.rfm.domain.RfmCalculator;
import io.memberpulse.rfm.domain.SegmentChange;
import io.memberpulse.rfm.domain.RfmSnapshot;
import io.memberpulse.rfm.store.DashboardRepository;
import io.memberpulse.rfm.store.RfmCache;
import io.memberpulse.rfm.store.RfmRepository;
import io.memberpulse.rfm.stream.out.SegmentChangePublisher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.jboss.logging.Logger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps every member's RFM and segments current in event time: records purchase facts from
 * member.events, recomputes the members they touch as of the stream's clock, and re-ages everyone
 * when the clock moves (a member crosses into "churn edge" when the day comes) in one pass over the
 * in-memory state (MemberStates). Publishes every segment entry and exit. One recomputation at a
 * time, so two never publish the same change.
 */
@ApplicationScoped
public class RecomputeRfmService {
    private static final Logger LOG = Logger.getLogger(RecomputeRfmService.class);
    private static final int PAGE = 5_000;
    /** Rows of a pass written, cached and published together: four pages. */
    private static final int ROUND = 4 * PAGE;
    private static final long BUSY_WINDOW_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    private static final long MAX_REFRESH_DELAY_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(2);

    private final RfmRepository repository;
    private final MemberFacts facts;
    private final RfmCache cache;
    private final SegmentChangePublisher publisher;
    private final RfmCalculator calculator;
    private final RuleSegments segmentDefinitions;
    private final DashboardRepository dashboards;
    private final MemberStates states;
    private final Counter recordedLines;
    /** Event time of the last full refresh. */
    private Instant lastFullRefresh = Instant.EPOCH;
    /** Wall-clock times of the last full refresh and of the last recorded batch. */
    private long lastFullRefreshNanos = System.nanoTime();
    private volatile long lastBatchNanos;

    public RecomputeRfmService(RfmRepository repository, MemberFacts facts, RfmCache cache, SegmentChangePublisher publisher,
            RfmConfig config, RuleSegments segmentDefinitions, DashboardRepository dashboards, MemberStates states,
            MeterRegistry registry) {
        this.states = states;
        this.facts = facts;
        this.dashboards = dashboards;
        this.segmentDefinitions = segmentDefinitions;
        this.repository = repository;
        this.cache = cache;
        this.publisher = publisher;
        this.calculator = new RfmCalculator(config.rfm().defaultMarginRate());
        this.recordedLines = Counter.builder("memberpulse.rfm.purchase.lines").register(registry);
    }

    /** Records a batch from member.events and recomputes the members it touched. Blocking. */
    public synchronized void record(List<MemberEvent> events) {
        MemberFacts.Recorded recorded = facts.record(events);
        if (recorded.latest() == null) {
            return;
        }
        lastBatchNanos = System.nanoTime();
        recordedLines.increment(recorded.newLines());
        Instant clock = repository.advanceWatermark(recorded.latest()).await().indefinitely();
        if (!recorded.touched().isEmpty()) {
            recompute(recorded.touched(), clock);
        }
    }

    /** Recomputes the given members as of the clock (after their facts moved between them). Blocking. */
    public synchronized void recomputeMembers(Collection<String> memberIds) {
        repository.watermark().await().indefinitely().ifPresent(clock -> recompute(memberIds, clock));
    }

    /** Re-ages every member to the clock; cheap when the clock has not moved. Blocking. */
    public synchronized void refreshAll() {
        Instant clock = repository.watermark().await().indefinitely().orElse(null);
        if (clock == null || !clock.isAfter(lastFullRefresh) || streamIsBusy()) {
            return;
        }
        recomputeEveryone(clock);
    }

    /** What a pass over every member did. */
    public record Pass(int members, int changed, int written, double stateSeconds, double computeSeconds, double writeSeconds) {
    }

    /** Recomputes every member now, whatever the clock did: the backfill of a new segment. Blocking. */
    public synchronized Pass backfill() {
        return repository.watermark().await().indefinitely().map(this::recomputeEveryone).orElse(null);
    }

    /**
     * Re-ages every member to the clock in one pass over the in-memory state: recomputes each member
     * (in parallel), writes only the rows whose figures or segments moved beyond R (a row that only
     * aged is read as of the clock, see RfmRepository.markAgedTo), and publishes each change.
     */
    private Pass recomputeEveryone(Instant clock) {
        long t0 = System.nanoTime();
        states.sync();
        long t1 = System.nanoTime();
        List<RfmRepository.PassRow> changed = states.all().entrySet().parallelStream()
                .map(entry -> changedRow(entry.getKey(), entry.getValue(), clock))
                .filter(java.util.Objects::nonNull)
                .toList();
        long t2 = System.nanoTime();
        Instant updatedAt = now();
        states.wrote(updatedAt);
        int written = 0;
        for (int from = 0; from < changed.size(); from += ROUND) { // a bounded amount in flight at a time
            written += write(changed.subList(from, Math.min(changed.size(), from + ROUND)), updatedAt);
        }
        long t3 = System.nanoTime();
        repository.markAgedTo(clock).await().indefinitely();
        cache.markAgedTo(clock).await().indefinitely();
        lastFullRefresh = clock;
        lastFullRefreshNanos = System.nanoTime();
        dashboards.recordSegmentSizes(clock.atZone(java.time.ZoneOffset.UTC).toLocalDate(), states.segmentSizes())
                .await().indefinitely();
        LOG.infof("re-aged %,d members to %s in %.2f s (state %.2f s, compute %.2f s, %,d changed, %,d written in %.2f s)",
                states.all().size(), clock, (System.nanoTime() - t0) / 1e9, (t1 - t0) / 1e9, (t2 - t1) / 1e9,
                changed.size(), written, (t3 - t2) / 1e9);
        return new Pass(states.all().size(), changed.size(), written, (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9);
    }

    /** The member's row at the clock when it differs from the stored one other than by R; else null. */
    private RfmRepository.PassRow changedRow(String memberId, MemberStates.State state, Instant clock) {
        MemberHistory history = state.history();
        if (history.lines().isEmpty()) {
            return null; // never bought, or merged away: nothing to age
        }
        Rfm rfm = calculator.compute(memberId, history.lines(), clock);
        Set<String> segments = segmentDefinitions.segmentsOf(rfm, history);
        RfmRepository.StoredRow stored = state.row();
        if (stored != null && stored.snapshot().segments().equals(segments) && stored.snapshot().rfm().agedTo(clock).equals(rfm)) {
            return null;
        }
        return new RfmRepository.PassRow(new RfmSnapshot(rfm, segments), stored == null ? null : stored.updatedAt());
    }

    /**
     * Writes the pass's rows (each over the version it read; pages in parallel), then caches and
     * publishes what was written, Redis and Kafka at the same time.
     */
    private int write(List<RfmRepository.PassRow> changed, Instant updatedAt) {
        long t0 = System.nanoTime();
        List<Uni<Set<String>>> pages = new ArrayList<>();
        for (int from = 0; from < changed.size(); from += PAGE) {
            pages.add(repository.writeIfUnchanged(changed.subList(from, Math.min(changed.size(), from + PAGE)), updatedAt));
        }
        Set<String> written = new java.util.HashSet<>();
        if (!pages.isEmpty()) {
            Uni.join().all(pages).andFailFast().await().indefinitely().forEach(written::addAll);
        }
        long t1 = System.nanoTime();
        List<RfmSnapshot> rows = new ArrayList<>(written.size());
        List<SegmentChange> changes = new ArrayList<>();
        for (RfmRepository.PassRow row : changed) {
            String memberId = row.snapshot().rfm().memberId();
            if (!written.contains(memberId)) {
                states.markStale(memberId);
                continue;
            }
            Set<String> before = row.replaces() == null ? Set.of()
                    : states.all().get(memberId).row().snapshot().segments();
            changes.addAll(SegmentChange.between(memberId, before, row.snapshot().segments(), row.snapshot().rfm().asOf(),
                    row.snapshot().rfm().homeStoreId()));
            states.written(memberId, new RfmRepository.StoredRow(row.snapshot(), updatedAt));
            rows.add(row.snapshot());
        }
        Uni.combine().all().unis(cache.putAll(rows), publisher.publish(changes)).discardItems().await().indefinitely();
        LOG.debugf("pass wrote %,d rows to PostgreSQL in %.2f s, then Redis and %,d changes published in %.2f s",
                rows.size(), (t1 - t0) / 1e9, changes.size(), (System.nanoTime() - t1) / 1e9);
        return rows.size();
    }

    /** Row versions are compared in PostgreSQL's precision. */
    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    /**
     * While batches keep arriving (a replay, a backlog) the members they touch are recomputed anyway;
     * re-aging everyone on every tick would only slow the catch-up. Wait for a quiet moment, but
     * never longer than two minutes.
     */
    private boolean streamIsBusy() {
        long now = System.nanoTime();
        return now - lastBatchNanos < BUSY_WINDOW_NANOS && now - lastFullRefreshNanos < MAX_REFRESH_DELAY_NANOS;
    }

    /** Recomputes these members from their facts as stored (the live path), whatever their rows held. */
    private void recompute(Collection<String> memberIds, Instant asOf) {
        // The stored rows are read while the facts are.
        var storedRows = repository.rowsOf(memberIds).subscribeAsCompletionStage();
        Map<String, MemberHistory> histories = facts.historiesOf(memberIds);
        Map<String, RfmRepository.StoredRow> before = storedRows.join();
        List<RfmSnapshot> rows = new ArrayList<>(memberIds.size());
        List<String> gone = new ArrayList<>();
        List<SegmentChange> changes = new ArrayList<>();
        for (String memberId : memberIds) {
            MemberHistory history = histories.getOrDefault(memberId, MemberHistory.EMPTY);
            Rfm rfm = calculator.compute(memberId, history.lines(), asOf);
            Set<String> segments = history.lines().isEmpty() ? Set.of() : segmentDefinitions.segmentsOf(rfm, history);
            if (history.lines().isEmpty()) {
                gone.add(memberId); // merged away or split off: leaves every segment it was in
            } else {
                rows.add(new RfmSnapshot(rfm, segments));
            }
            RfmRepository.StoredRow stored = before.get(memberId);
            changes.addAll(SegmentChange.between(memberId, stored == null ? Set.of() : stored.snapshot().segments(), segments,
                    asOf, rfm.homeStoreId()));
        }
        Instant updatedAt = now();
        states.wrote(updatedAt);
        Uni.combine().all().unis(repository.upsert(rows, updatedAt), repository.delete(gone)).discardItems()
                .await().indefinitely();
        for (RfmSnapshot row : rows) {
            String memberId = row.rfm().memberId();
            states.put(memberId, histories.get(memberId), new RfmRepository.StoredRow(row, updatedAt));
        }
        gone.forEach(memberId -> states.put(memberId, histories.getOrDefault(memberId, MemberHistory.EMPTY), null));
        Uni.combine().all().unis(cache.putAll(rows), cache.removeAll(gone), publisher.publish(changes)).discardItems()
                .await().indefinitely();
    }
}
