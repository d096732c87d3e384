package io.memberpulse.rfm;

import io.memberpulse.rfm.domain.MemberFact;
import io.memberpulse.rfm.domain.MemberHistory;
import io.memberpulse.rfm.domain.PurchaseLine;
import io.memberpulse.rfm.store.ActivityRepository;
import io.memberpulse.rfm.store.ChurnRiskRepository;
import io.memberpulse.rfm.store.MemberRowRepository;
import io.memberpulse.rfm.store.PurchaseLineRepository;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Every member's facts and stored row, held in memory so re-ageing everyone is one pass over memory
 * rather than reading every member back from PostgreSQL. PostgreSQL stays the truth: the state is
 * loaded from it once (streamed), kept current by this replica's own writes, and caught up before
 * each pass with the rows other replicas wrote or removed since (their updated_at differs from the one held).
 * A pass writes a row only over the version it read, so a stale state never overwrites newer data;
 * a member whose write was refused is reloaded. Loaded in the background at start; used under
 * RecomputeRfmService's lock after that.
 */
@ApplicationScoped
public class MemberStates {
    private static final Logger LOG = Logger.getLogger(MemberStates.class);
    /** Catch-up looks this far behind the previous one: statements that committed late are still seen. */
    private static final Duration CATCH_UP_OVERLAP = Duration.ofSeconds(15);
    private static final int RELOAD_CHUNK = 5_000;
    /** How far back the catch-up can see removed rows: the repository's retention, less a day of margin. */
    private static final Duration REMOVALS_REMEMBERED = Duration.ofDays(MemberRowRepository.REMOVALS_KEPT_DAYS - 1);

    /** A member's facts and its stored row (null when none is stored). */
    public record State(MemberHistory history, MemberRowRepository.StoredRow row) {
    }

    private final MemberRowRepository rows;
    private final PurchaseLineRepository purchaseLines;
    private final ActivityRepository activities;
    private final ChurnRiskRepository risks;
    private final MemberFacts facts;
    private final Map<String, State> states = new ConcurrentHashMap<>();
    private final Set<String> stale = ConcurrentHashMap.newKeySet();
    /** Versions this replica wrote lately; the catch-up asks only for the others. */
    private final Set<Instant> ownVersions = ConcurrentHashMap.newKeySet();
    private volatile boolean loaded;
    /** The segment definitions' version the held churn probabilities were last read again for. */
    private long probabilitiesReadFor = Long.MIN_VALUE;
    private volatile Instant caughtUpTo;

    public MemberStates(MemberRowRepository rows, PurchaseLineRepository purchaseLines, ActivityRepository activities,
            ChurnRiskRepository risks, MemberFacts facts) {
        this.rows = rows;
        this.purchaseLines = purchaseLines;
        this.activities = activities;
        this.risks = risks;
        this.facts = facts;
    }

    /**
     * Loads the state in the background at start, so the first re-ageing pass does not stall the
     * event stream for it. Nothing waits on the lock meanwhile: rows written during the load are
     * read again by the next catch-up (their updated_at is after the load began).
     */
    void preload(@Observes StartupEvent started) {
        Infrastructure.getDefaultWorkerPool().execute(() -> {
            try {
                loadAll();
            } catch (RuntimeException e) {
                LOG.warn("member state not preloaded; the first pass loads it", e);
            }
        });
    }

    /** Forgets the state: the next pass loads it again from PostgreSQL (facts written behind the service's back). */
    public void invalidate() {
        loaded = false;
    }

    /** Loads everything on first use, else reloads what others wrote since the last time. Blocking. */
    public void sync() {
        if (!loaded) {
            loadAll();
        } else {
            catchUp();
        }
    }

    public Map<String, State> all() {
        return states;
    }

    public boolean loaded() {
        return loaded;
    }

    /** This replica wrote the member's row (or deleted it: row null and no facts left). */
    public void put(String memberId, MemberHistory history, MemberRowRepository.StoredRow row) {
        if (!loaded) {
            return; // the load reads it from PostgreSQL
        }
        if (history.lines().isEmpty() && history.facts().isEmpty() && row == null) {
            states.remove(memberId);
        } else {
            states.put(memberId, new State(history, row));
        }
    }

    /**
     * The version (updated_at) of rows this replica is about to write, in PostgreSQL's precision so that
     * versions compare equal there; the catch-up skips rows of this version.
     */
    public Instant newVersion() {
        return newVersion(Instant.EPOCH);
    }

    /**
     * As {@link #newVersion()}, and after the given version (of a row about to be replaced, which a replica whose clock
     * is ahead may have written): a member's versions only grow, as the cache's compare-and-set needs (RfmCache).
     */
    public Instant newVersion(Instant after) {
        Instant version = Instant.now().truncatedTo(ChronoUnit.MICROS);
        if (!version.isAfter(after)) {
            version = after.truncatedTo(ChronoUnit.MICROS).plus(1, ChronoUnit.MICROS);
        }
        if (loaded) { // before that, rows written after the load began must be read again, own or not
            ownVersions.add(version);
        }
        return version;
    }

    /** How many members each segment holds, from the state (after a pass: as stored). */
    public Map<String, Long> segmentSizes() {
        return states.values().parallelStream()
                .filter(state -> state.row() != null)
                .flatMap(state -> state.row().snapshot().segments().stream())
                .collect(java.util.stream.Collectors.groupingByConcurrent(segment -> segment, java.util.stream.Collectors.counting()));
    }

    /**
     * Reads every churn probability again. Scores recorded while no rule segment could test them reached PostgreSQL
     * only (nothing was recomputed), and a rule defined now must see them. Blocking.
     */
    public synchronized void refreshProbabilities() {
        if (!loaded) {
            return; // the load reads them
        }
        Map<String, Double> probabilities = new HashMap<>();
        risks.forEachProbability(probabilities::put).await().indefinitely();
        states.replaceAll((id, state) -> {
            Double probability = probabilities.get(id);
            MemberHistory history = state.history();
            return java.util.Objects.equals(probability, history.churnProbability()) ? state
                    : new State(new MemberHistory(history.lines(), history.facts(), probability), state.row());
        });
    }

    /**
     * Reads every churn probability again when the segment definitions changed since the last time: a rule picked up
     * from another replica must see the scores recorded while no rule tested them (only the replica that defined it
     * read them again for its backfill; this one kept evaluating members on the scores it held). Blocking.
     */
    public synchronized void refreshProbabilitiesFor(long definitionsVersion) {
        if (loaded && definitionsVersion != probabilitiesReadFor) {
            refreshProbabilities();
            probabilitiesReadFor = definitionsVersion;
        }
    }

    /** The pass wrote the member's new row. */
    public void written(String memberId, MemberRowRepository.StoredRow row) {
        states.computeIfPresent(memberId, (id, state) -> new State(state.history(), row));
    }

    /** Another replica changed the member while the pass ran: read it again before the next pass. */
    public void markStale(String memberId) {
        stale.add(memberId);
    }

    private synchronized void loadAll() {
        if (loaded) {
            return;
        }
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        Map<String, List<PurchaseLine>> lines = new HashMap<>();
        Map<String, List<MemberFact>> memberFacts = new HashMap<>();
        Map<String, Double> probabilities = new HashMap<>();
        Map<String, MemberRowRepository.StoredRow> stored = new HashMap<>();
        // Rows (with their versions) before the facts, each scan its own transaction while the consumer writes: a write
        // after the row scan leaves an older version held, which the catch-up reads again. Read after the facts, a
        // purchase landing between the scans was held with its new row and the history before it, and never read again.
        rows.forEachRow(row -> stored.put(row.snapshot().rfm().memberId(), row)).await().indefinitely();
        long lineCount = purchaseLines.forEachLine((id, line) -> lines.computeIfAbsent(id, k -> new ArrayList<>(4)).add(line))
                .await().indefinitely();
        activities.forEachFact((id, fact) -> memberFacts.computeIfAbsent(id, k -> new ArrayList<>(2)).add(fact))
                .await().indefinitely();
        risks.forEachProbability(probabilities::put).await().indefinitely();
        Set<String> ids = new HashSet<>(lines.keySet());
        ids.addAll(memberFacts.keySet());
        ids.addAll(stored.keySet());
        states.clear();
        for (String id : ids) {
            states.put(id, new State(new MemberHistory(lines.getOrDefault(id, List.of()), memberFacts.getOrDefault(id, List.of()),
                    probabilities.get(id)), stored.get(id)));
        }
        stale.clear();
        caughtUpTo = started;
        loaded = true;
        LOG.infof("member state loaded: %,d members, %,d purchase lines in %.1f s", states.size(), lineCount,
                (System.nanoTime() - t0) / 1e9);
    }

    private synchronized void catchUp() {
        Instant started = Instant.now();
        Instant since = caughtUpTo.minus(CATCH_UP_OVERLAP);
        if (since.isBefore(started.minus(REMOVALS_REMEMBERED))) {
            loaded = false; // removals this old are forgotten: only a full load still sees them
            loadAll();
            return;
        }
        ownVersions.removeIf(version -> version.isBefore(since));
        Map<String, Instant> written = rows.writtenSince(since, ownVersions).await().indefinitely();
        Set<String> reload = new HashSet<>(stale);
        // Members another replica merged away or emptied: their rows are gone, so writtenSince cannot name them.
        rows.removedSince(since).await().indefinitely().stream().filter(states::containsKey).forEach(reload::add);
        written.forEach((id, at) -> {
            State held = states.get(id);
            if (held == null || held.row() == null || !held.row().updatedAt().equals(at)) {
                reload.add(id);
            }
        });
        reload(reload);
        stale.clear();
        caughtUpTo = started;
    }

    private void reload(Collection<String> memberIds) {
        List<String> ids = List.copyOf(memberIds);
        for (int from = 0; from < ids.size(); from += RELOAD_CHUNK) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + RELOAD_CHUNK));
            // Rows before facts, as in loadAll: a write between the two reads shows as a newer version next time.
            Map<String, MemberRowRepository.StoredRow> stored = rows.rowsOf(chunk).await().indefinitely();
            Map<String, MemberHistory> histories = facts.historiesOf(chunk);
            for (String id : chunk) {
                put(id, histories.getOrDefault(id, MemberHistory.EMPTY), stored.get(id));
            }
        }
        if (!ids.isEmpty()) {
            LOG.debugf("member state: %,d members read again (written elsewhere)", ids.size());
        }
    }
}
