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
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps every member's RFM and segments current in event time: records purchase facts from
 * member.events, recomputes the members they touch as of the stream's clock, and re-ages everyone
 * when the clock moves (a member crosses into "churn edge" when the day comes). Publishes every
 * segment entry and exit. One recomputation at a time, so two never publish the same change.
 */
@ApplicationScoped
public class RecomputeRfmService {
    private static final int PAGE = 2_000;
    private static final long BUSY_WINDOW_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    private static final long MAX_REFRESH_DELAY_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(2);

    private final RfmRepository repository;
    private final MemberFacts facts;
    private final RfmCache cache;
    private final SegmentChangePublisher publisher;
    private final RfmCalculator calculator;
    private final RuleSegments segmentDefinitions;
    private final DashboardRepository dashboards;
    private final Counter recordedLines;
    /** Event time of the last full refresh. */
    private Instant lastFullRefresh = Instant.EPOCH;
    /** Wall-clock times of the last full refresh and of the last recorded batch. */
    private long lastFullRefreshNanos = System.nanoTime();
    private volatile long lastBatchNanos;

    public RecomputeRfmService(RfmRepository repository, MemberFacts facts, RfmCache cache, SegmentChangePublisher publisher,
            RfmConfig config, RuleSegments segmentDefinitions, DashboardRepository dashboards, MeterRegistry registry) {
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

    /** Recomputes every member now, whatever the clock did: the backfill of a new segment. Blocking. */
    public synchronized void backfill() {
        repository.watermark().await().indefinitely().ifPresent(this::recomputeEveryone);
    }

    private void recomputeEveryone(Instant clock) {
        String after = "";
        while (true) {
            List<String> page = repository.memberIdsAfter(after, PAGE).await().indefinitely();
            if (page.isEmpty()) {
                break;
            }
            recompute(page, clock);
            after = page.get(page.size() - 1);
        }
        lastFullRefresh = clock;
        lastFullRefreshNanos = System.nanoTime();
        dashboards.recordSegmentSizes(clock.atZone(java.time.ZoneOffset.UTC).toLocalDate()).await().indefinitely();
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

    private void recompute(Collection<String> memberIds, Instant asOf) {
        Map<String, MemberHistory> histories = facts.historiesOf(memberIds);
        Map<String, Set<String>> before = repository.segmentsOf(memberIds).await().indefinitely();
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
            changes.addAll(SegmentChange.between(memberId, before.getOrDefault(memberId, Set.of()), segments, asOf,
                    rfm.homeStoreId()));
        }
        repository.upsert(rows, Instant.now()).await().indefinitely();
        repository.delete(gone).await().indefinitely();
        cache.putAll(rows).await().indefinitely();
        cache.removeAll(gone).await().indefinitely();
        publisher.publish(changes).await().indefinitely();
    }
}
