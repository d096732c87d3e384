package io.memberpulse.rfm;

import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.kafka.Topics;
import io.memberpulse.rfm.domain.MemberHistory;
import io.memberpulse.rfm.domain.RfmCalculator;
import io.memberpulse.rfm.domain.SegmentChange;
import io.memberpulse.rfm.domain.RfmSnapshot;
import io.memberpulse.rfm.domain.rules.SegmentMembership;
import io.memberpulse.rfm.store.DashboardRepository;
import io.memberpulse.rfm.store.MemberRowRepository;
import io.memberpulse.rfm.store.RefreshLock;
import io.memberpulse.rfm.store.RfmCache;
import io.memberpulse.rfm.store.StreamClockRepository;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jboss.logging.Logger;

/**
 * Keeps every member's RFM and segments current in event time: records purchase facts from
 * member.events, recomputes the members they touch as of the stream's clock, and re-ages everyone
 * when the clock moves (a member crosses into "churn edge" when the day comes) in one pass over the
 * in-memory state (MemberStates). Publishes every segment entry and exit. One recomputation at a
 * time, so two never publish the same change: the live path holds this object's monitor, and a pass holds it for its
 * start (catching the state up), each round of its writes and its end, not while it computes or waits for its output,
 * so batches, merges and churn scores are recorded between its rounds.
 */
@ApplicationScoped
public class RecomputeRfmService {
    private static final Logger LOG = Logger.getLogger(RecomputeRfmService.class);
    private static final int PAGE = 5_000;
    /** Rows of a pass written, cached and published together: four pages. */
    private static final int ROUND = 4 * PAGE;
    private static final long BUSY_WINDOW_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    private static final long MAX_REFRESH_DELAY_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(2);

    private final MemberRowRepository memberRows;
    private final StreamClockRepository streamClock;
    private final MemberFacts facts;
    private final RfmCache cache;
    private final RfmCalculator calculator;
    private final SegmentDefinitions segmentDefinitions;
    private final DashboardRepository dashboards;
    private final MemberStates states;
    private final MemberRecomputation members;
    private final SegmentOutput output;
    private final RefreshLock refreshLock;
    /** The calendar whose day a pass's segment sizes are recorded under. */
    private final ZoneId dayZone;
    private final java.time.Duration maxClockLead;
    private final Counter eventsAheadOfClock;
    private final Timer recordTime;
    private final Timer clockTime;
    private final Counter recordedLines;
    private final Counter retractedLines;
    private final ErasedFacts erasedFacts;
    /** Event time of the last full refresh. */
    private Instant lastFullRefresh = Instant.EPOCH;
    /** Wall-clock times of the last full refresh and of the last recorded batch. */
    private long lastFullRefreshNanos = System.nanoTime();
    private volatile long lastBatchNanos;
    /** One pass at a time in this replica (a backfill and a scheduled pass); taken before the monitor. */
    private final Object passes = new Object();
    /** Runs after each round of a pass is written: a test's seam, to record a live batch in the middle of a pass. */
    private volatile Runnable afterEachRound = () -> {
    };

    public RecomputeRfmService(MemberRowRepository memberRows, StreamClockRepository streamClock, MemberFacts facts,
            RfmCache cache, RfmConfig config, SegmentDefinitions segmentDefinitions, DashboardRepository dashboards,
            MemberStates states, MemberRecomputation members, SegmentOutput output, RefreshLock refreshLock,
            ErasedFacts erasedFacts, MeterRegistry registry) {
        this.members = members;
        this.refreshLock = refreshLock;
        this.output = output;
        this.recordTime = LiveTimings.stage(registry, "record");
        this.clockTime = LiveTimings.stage(registry, "clock");
        this.states = states;
        this.facts = facts;
        this.dashboards = dashboards;
        this.segmentDefinitions = segmentDefinitions;
        this.memberRows = memberRows;
        this.streamClock = streamClock;
        this.cache = cache;
        this.calculator = new RfmCalculator(config.rfm().marginRates());
        this.dayZone = config.rfm().dayZone();
        this.maxClockLead = config.rfm().maxClockLead();
        this.recordedLines = Counter.builder("memberpulse.rfm.purchase.lines").register(registry);
        this.eventsAheadOfClock = Counter.builder("memberpulse.rfm.events.ahead.of.clock")
                .description("Events stamped later than now plus max-clock-lead: the event-time clock moved only that far")
                .register(registry);
        this.retractedLines = Counter.builder("memberpulse.rfm.purchase.lines.retracted")
                .description("Stored purchase lines deleted because identity-service published them again as duplicate orders")
                .register(registry);
        this.erasedFacts = erasedFacts;
    }

    /**
     * Records a batch from member.events and recomputes the members it touched. Blocks until their
     * rows are in PostgreSQL; the returned stage completes when they are cached and their segment
     * changes published (SegmentOutput), meanwhile the next batch may be recorded.
     */
    public synchronized CompletionStage<Void> record(List<MemberEvent> events) {
        Instant latest = events.stream().map(EventFacts::occurredAt).max(Instant::compareTo).orElse(null);
        if (latest == null) {
            return CompletableFuture.completedFuture(null);
        }
        Instant lead = Instant.now().plus(maxClockLead);
        if (latest.isAfter(lead)) {
            // One event stamped in the future must not age every member: the clock never moves back.
            eventsAheadOfClock.increment(events.stream().filter(event -> EventFacts.occurredAt(event).isAfter(lead)).count());
            LOG.debugf("an event at %s is ahead of this replica's clock: the event-time clock moves only to %s", latest, lead);
            latest = lead;
        }
        long t0 = System.nanoTime();
        // The clock moves while the facts are written (a clock ahead of facts not yet stored changes nothing:
        // the members they touch are recomputed next, and a re-ageing pass cannot run meanwhile).
        CompletableFuture<Instant> clock = streamClock.advanceWatermark(latest).subscribeAsCompletionStage();
        MemberFacts.Recorded recorded = facts.record(events);
        long t1 = System.nanoTime();
        recordTime.record(Duration.ofNanos(t1 - t0));
        lastBatchNanos = System.nanoTime();
        recordedLines.increment(recorded.newLines());
        retractedLines.increment(recorded.retractedLines());
        erasedFacts.dropped(Topics.MEMBER_EVENTS, recorded.droppedErased());
        Instant asOf = clock.join();
        clockTime.record(Duration.ofNanos(System.nanoTime() - t1));
        if (recorded.touched().isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return emit(members.recompute(recorded.touched(), asOf));
    }

    /** Recomputes the given members as of the clock (after their facts moved between them). Blocking until published. */
    public void recomputeMembers(Collection<String> memberIds) {
        recomputeMembersAsync(memberIds).toCompletableFuture().join();
    }

    private synchronized CompletionStage<Void> recomputeMembersAsync(Collection<String> memberIds) {
        return streamClock.watermark().await().indefinitely()
                .map(clock -> emit(members.recompute(memberIds, clock)))
                .orElse(CompletableFuture.completedFuture(null));
    }

    private CompletionStage<Void> emit(MemberRecomputation.Written written) {
        return output.emit(written.rows(), written.gone());
    }

    /**
     * Forgets erased members (their rows already deleted): drops them from the in-memory state and deletes their Redis
     * keys behind every output queued before (SegmentOutput.forget), so an output computed before the erasure cannot
     * cache their row again after it. Blocking until Redis is done with them, or their miss is recorded.
     */
    public void forgetErased(Collection<String> memberIds) {
        CompletionStage<Void> forgotten;
        synchronized (this) { // after the live path's outputs already queued, before any queued later
            memberIds.forEach(memberId -> states.put(memberId, MemberHistory.EMPTY, null));
            forgotten = output.forget(memberIds);
        }
        forgotten.toCompletableFuture().join();
    }

    /** Re-ages every member to the clock; cheap when the clock has not moved. Blocking. */
    public void refreshAll() {
        synchronized (passes) {
            Instant clock;
            synchronized (this) { // the clock read after every batch recorded before: those rows are as of it or earlier
                clock = streamClock.watermark().await().indefinitely().orElse(null);
                if (clock == null || !clock.isAfter(lastFullRefresh) || streamIsBusy()) {
                    return;
                }
            }
            recomputeEveryone(clock);
        }
    }

    /** Sets what runs after each round of a pass is written (tests). */
    void afterEachRound(Runnable hook) {
        afterEachRound = hook;
    }

    /** What a pass over every member did. */
    public record Pass(int members, int changed, int written, double stateSeconds, double computeSeconds, double writeSeconds) {
    }

    /**
     * Recomputes every member now, whatever the clock did: the backfill of a new segment. Under the re-ageing lock
     * (RefreshLock, waiting for it), so it never runs alongside another replica's pass. Blocking.
     */
    public Pass backfill() {
        return refreshLock.callWhenFree(this::backfillHoldingTheLock); // the lock before this monitor, as RfmClock takes them
    }

    private Pass backfillHoldingTheLock() {
        synchronized (passes) {
            Instant clock;
            synchronized (this) {
                states.refreshProbabilities(); // a new rule may test churn scores no rule needed until now
                clock = streamClock.watermark().await().indefinitely().orElse(null);
            }
            return clock == null ? null : recomputeEveryone(clock);
        }
    }

    /**
     * Re-ages every member to the clock in one pass over the in-memory state: recomputes each member
     * (in parallel), writes only the rows whose figures or segments moved beyond R (a row that only
     * aged is read as of the clock, see StreamClockRepository.markAgedTo), and publishes each change. All with one
     * version of the segment definitions: when a write finds newer ones stored (another replica changed them
     * and this one has not polled yet), the pass writes no more, reloads them and computes everyone again.
     *
     * <p>Holds the monitor only to catch the state up, for each round of writes and at its end: the live path records
     * meanwhile. A member it recomputes after the pass computed them is left to it (see write): its row is as of a
     * clock at least the pass's, and the live path read the pass's row when the pass wrote first. Under {@link #passes}.
     */
    private Pass recomputeEveryone(Instant clock) {
        long t0 = System.nanoTime();
        synchronized (this) {
            output.drain(); // the live path's rows cached and published before the pass caches and publishes its own
            states.sync();
            SegmentDefinitions.InForce now = segmentDefinitions.inForce();
            if (!now.rules().isEmpty()) {
                states.refreshProbabilitiesFor(now.version()); // a rule defined or changed on another replica may test them
            }
        }
        long t1 = System.nanoTime();
        List<MemberRowRepository.PassRow> changed;
        int written = 0;
        long t2;
        List<CompletableFuture<Void>> outputs = new ArrayList<>();
        DefinitionReloads reloads = new DefinitionReloads("one re-ageing pass");
        for (;;) {
            SegmentDefinitions.InForce definitions = segmentDefinitions.inForce();
            SegmentMembership membership = segmentDefinitions.membership(definitions);
            changed = states.all().entrySet().parallelStream()
                    .map(entry -> changedRow(entry.getKey(), entry.getValue(), clock, membership))
                    .filter(java.util.Objects::nonNull)
                    .toList();
            t2 = System.nanoTime();
            // After every version it replaces: versions of a member only grow, whatever the clocks of the replicas.
            Instant updatedAt = states.newVersion(changed.stream().map(MemberRowRepository.PassRow::replaces)
                    .filter(java.util.Objects::nonNull).max(Instant::compareTo).orElse(Instant.EPOCH));
            boolean definitionsChanged = false;
            for (int from = 0; from < changed.size() && !definitionsChanged; from += ROUND) { // a bounded amount in flight
                Round round;
                synchronized (this) { // a round at a time: the live path records between them
                    round = write(changed.subList(from, Math.min(changed.size(), from + ROUND)), updatedAt,
                            definitions.version(), outputs);
                }
                written += round.written();
                definitionsChanged = round.definitionsChanged();
                afterEachRound.run();
            }
            if (!definitionsChanged) {
                break;
            }
            reloads.reloadAfterChange(() -> {
                LOG.infof("segment definitions changed on another replica during the pass: reloaded, computing again");
                synchronized (this) {
                    segmentDefinitions.reload();
                }
            });
        }
        CompletableFuture.allOf(outputs.toArray(CompletableFuture[]::new)).join(); // every round cached and published
        long t3 = System.nanoTime();
        synchronized (this) {
            // Rows the live path wrote meanwhile are as of this clock or later, which ageing to it leaves as they are.
            streamClock.markAgedTo(clock).await().indefinitely();
            cache.markAgedTo(clock).await().indefinitely();
            lastFullRefresh = clock;
            lastFullRefreshNanos = System.nanoTime();
            dashboards.recordSegmentSizes(clock.atZone(dayZone).toLocalDate(), sizesOfEverySegment())
                    .await().indefinitely();
        }
        LOG.infof("re-aged %,d members to %s in %.2f s (state %.2f s, compute %.2f s, %,d changed, %,d written in %.2f s)",
                states.all().size(), clock, (System.nanoTime() - t0) / 1e9, (t1 - t0) / 1e9, (t2 - t1) / 1e9,
                changed.size(), written, (t3 - t2) / 1e9);
        return new Pass(states.all().size(), changed.size(), written, (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9);
    }

    /**
     * Each segment's size after a pass, 0 for a segment nobody is in: a day recorded again must show a segment
     * emptied since as 0, not keep the size of the day's earlier pass.
     */
    private Map<String, Long> sizesOfEverySegment() {
        Map<String, Long> sizes = new java.util.TreeMap<>(states.segmentSizes());
        segmentDefinitions.ids().forEach(id -> sizes.putIfAbsent(id, 0L));
        return sizes;
    }

    /** The member's row at the clock when it differs from the stored one other than by R; else null. */
    private MemberRowRepository.PassRow changedRow(String memberId, MemberStates.State state, Instant clock,
            SegmentMembership membership) {
        MemberHistory history = state.history();
        if (!history.hasRow(clock)) {
            return null; // neither bought nor registered, or merged away: nothing to age
        }
        RfmSnapshot row = membership.rowAt(calculator, memberId, history, clock);
        MemberRowRepository.StoredRow stored = state.row();
        if (stored != null && stored.snapshot().segments().equals(row.segments())
                && stored.snapshot().rfm().agedTo(clock).equals(row.rfm())) {
            return null;
        }
        return new MemberRowRepository.PassRow(row, stored == null ? null : stored.updatedAt());
    }

    /** What a round of the pass wrote, and whether a page found newer segment definitions stored (and wrote nothing). */
    private record Round(int written, boolean definitionsChanged) {
    }

    /**
     * Writes the pass's rows (each over the version it read; pages in parallel; each page only if the segment
     * definitions are still the version computed with), then queues the caching and publishing of what was written
     * (SegmentOutput), which overlaps the next round's writes. Leaves out the members the live path recomputed since the
     * pass computed them (their row held is no longer the one the pass read). Under the monitor.
     */
    private Round write(List<MemberRowRepository.PassRow> computed, Instant updatedAt, long definitionsVersion,
            List<CompletableFuture<Void>> outputs) {
        long t0 = System.nanoTime();
        List<MemberRowRepository.PassRow> changed = computed.stream().filter(this::stillHeld).toList();
        // Each row's entries and exits against the row it replaces, queued with its write (only if it is written).
        Map<String, List<SegmentChange>> changesOf = new java.util.HashMap<>();
        for (MemberRowRepository.PassRow row : changed) {
            String memberId = row.snapshot().rfm().memberId();
            Set<String> before = row.replaces() == null ? Set.of()
                    : states.all().get(memberId).row().snapshot().segments();
            changesOf.put(memberId, SegmentChange.between(memberId, before, row.snapshot().segments(),
                    row.snapshot().rfm().asOf(), row.snapshot().rfm().homeStoreId()));
        }
        List<Uni<Set<String>>> pages = new ArrayList<>();
        Set<String> unwritten = java.util.concurrent.ConcurrentHashMap.newKeySet();
        for (int from = 0; from < changed.size(); from += PAGE) {
            List<MemberRowRepository.PassRow> page = changed.subList(from, Math.min(changed.size(), from + PAGE));
            Set<String> members = new java.util.HashSet<>(page.stream().map(row -> row.snapshot().rfm().memberId()).toList());
            pages.add(memberRows.writeIfUnchanged(page, updatedAt, page.stream()
                    .flatMap(row -> changesOf.get(row.snapshot().rfm().memberId()).stream()).toList(), definitionsVersion)
                    .onFailure(MemberRowRepository.DefinitionsChangedException.class).recoverWithItem(() -> {
                        unwritten.addAll(members); // by definitions older than those stored: left for the pass to redo
                        return Set.of();
                    }));
        }
        Set<String> written = new java.util.HashSet<>();
        if (!pages.isEmpty()) {
            Uni.join().all(pages).andFailFast().await().indefinitely().forEach(written::addAll);
        }
        long t1 = System.nanoTime();
        List<MemberRowRepository.StoredRow> rows = new ArrayList<>(written.size());
        List<SegmentChange> changes = new ArrayList<>();
        for (MemberRowRepository.PassRow row : changed) {
            String memberId = row.snapshot().rfm().memberId();
            if (!written.contains(memberId)) {
                if (!unwritten.contains(memberId)) {
                    states.markStale(memberId); // another replica wrote it meanwhile
                }
                continue;
            }
            changes.addAll(changesOf.get(memberId));
            MemberRowRepository.StoredRow stored = new MemberRowRepository.StoredRow(row.snapshot(), updatedAt);
            states.written(memberId, stored);
            rows.add(stored);
        }
        // Cached and published while the next round is written.
        outputs.add(output.emit(rows, Map.of()).toCompletableFuture());
        LOG.debugf("pass wrote %,d rows to PostgreSQL in %.2f s; Redis and %,d changes queued", (Object) rows.size(),
                (t1 - t0) / 1e9, changes.size());
        return new Round(rows.size(), !unwritten.isEmpty());
    }

    /** Whether the state still holds the row the pass computed over: the live path has not written the member since. */
    private boolean stillHeld(MemberRowRepository.PassRow row) {
        MemberStates.State state = states.all().get(row.snapshot().rfm().memberId());
        Instant held = state == null || state.row() == null ? null : state.row().updatedAt();
        return state != null && java.util.Objects.equals(held, row.replaces());
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
}
