package io.memberpulse.rfm;

import io.memberpulse.rfm.domain.MemberHistory;
import io.memberpulse.rfm.domain.Rfm;
import io.memberpulse.rfm.domain.RfmCalculator;
import io.memberpulse.rfm.domain.RfmSnapshot;
import io.memberpulse.rfm.domain.SegmentChange;
import io.memberpulse.rfm.domain.rules.SegmentMembership;
import io.memberpulse.rfm.store.MemberRowRepository;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The live path: recomputes the given members from their facts as stored and writes their rows (or deletes them
 * when no purchase or registration is left: merged away, split off). Each row is written only over the version
 * read, as the re-ageing pass writes: another replica's pass may rewrite a member between this read and this write,
 * and its segment entries and exits are published already, so overwriting it would publish changes against a row
 * no longer stored (an exit lost). A member written meanwhile is read and computed again. A row's segment entries and
 * exits are queued in the transaction that writes it (SegmentChangeOutboxRepository), so a change written is published even
 * if the output after it fails or never runs. Each write holds the segment definitions' version it was computed
 * with (MemberRowRepository): when another replica has stored newer definitions this one has not polled yet, nothing
 * is written, the definitions are reloaded and the members computed again, so a row is never written by rules
 * older than those stored (which would undo that replica's backfill and publish exits it had just entered).
 * Returns what to cache and publish; the caller hands that to SegmentOutput. Called under RecomputeRfmService's
 * lock. Blocking.
 */
@ApplicationScoped
public class MemberRecomputation {
    private static final Logger LOG = Logger.getLogger(MemberRecomputation.class);
    /** Reads and writes of a member before the last one, which writes whatever is stored. */
    static final int VERSION_CHECKED_ATTEMPTS = 4;

    private final MemberRowRepository repository;
    private final MemberFacts facts;
    private final RfmCalculator calculator;
    private final SegmentDefinitions segmentDefinitions;
    private final MemberStates states;
    private final Timer readTime;
    private final Timer computeTime;
    private final Timer writeTime;
    private final Counter conflicts;

    public MemberRecomputation(MemberRowRepository repository, MemberFacts facts, RfmConfig config,
            SegmentDefinitions segmentDefinitions, MemberStates states, MeterRegistry registry) {
        this.repository = repository;
        this.facts = facts;
        this.calculator = new RfmCalculator(config.rfm().marginRates());
        this.segmentDefinitions = segmentDefinitions;
        this.states = states;
        this.readTime = LiveTimings.stage(registry, "read");
        this.computeTime = LiveTimings.stage(registry, "compute");
        this.writeTime = LiveTimings.stage(registry, "write");
        this.conflicts = Counter.builder("memberpulse.rfm.live.write.conflicts")
                .description("Members the live path read again because another replica wrote them meanwhile")
                .register(registry);
    }

    /**
     * What a recomputation wrote: rows to cache (with their version), members whose row was deleted (with the version
     * of the removal), segment entries and exits.
     */
    public record Written(List<MemberRowRepository.StoredRow> rows, Map<String, Instant> gone, List<SegmentChange> changes) {
    }

    public Written recompute(Collection<String> memberIds, Instant asOf) {
        return recompute(memberIds, asOf, null);
    }

    /**
     * @param rowsRead the stored rows as this replica read them, for the first attempt (null: read them now); a
     *        test stands for another replica writing between the read and the write with it
     */
    Written recompute(Collection<String> memberIds, Instant asOf, Map<String, MemberRowRepository.StoredRow> rowsRead) {
        Written written = new Written(new ArrayList<>(), new HashMap<>(), new ArrayList<>());
        Collection<String> pending = memberIds;
        Map<String, MemberRowRepository.StoredRow> read = rowsRead;
        DefinitionReloads reloads = new DefinitionReloads("one recomputation");
        for (int attempt = 1; !pending.isEmpty(); attempt++) {
            boolean last = attempt == VERSION_CHECKED_ATTEMPTS + 1;
            Attempt result = attempt(pending, asOf, read, last, written);
            read = null;
            pending = result.pending();
            if (result.definitionsChanged()) {
                int again = pending.size();
                reloads.reloadAfterChange(() -> {
                    LOG.debugf("segment definitions changed on another replica: reloaded; %,d members computed again", again);
                    segmentDefinitions.reload();
                });
                attempt--; // not a write conflict: the same attempt again, with the definitions stored
            } else if (!pending.isEmpty()) {
                conflicts.increment(pending.size());
                LOG.debugf("%,d members written by another replica meanwhile; read again (attempt %d)", pending.size(), attempt);
            }
        }
        return written;
    }

    /** The members to read and compute again, and whether that is because the segment definitions changed. */
    private record Attempt(Set<String> pending, boolean definitionsChanged) {
    }

    /**
     * Recomputes and writes the members; adds what it wrote to {@code into} and returns the members to compute again:
     * those written meanwhile, or every member whose row it was to write when the segment definitions changed.
     */
    private Attempt attempt(Collection<String> memberIds, Instant asOf, Map<String, MemberRowRepository.StoredRow> rowsRead,
            boolean whateverIsStored, Written into) {
        long t0 = System.nanoTime();
        // The stored rows are read while the facts are.
        var storedRows = rowsRead != null ? java.util.concurrent.CompletableFuture.completedFuture(rowsRead)
                : repository.rowsOf(memberIds).subscribeAsCompletionStage();
        Map<String, MemberHistory> histories = facts.historiesOf(memberIds);
        Map<String, MemberRowRepository.StoredRow> before = storedRows.join();
        long t1 = System.nanoTime();
        SegmentDefinitions.InForce definitions = segmentDefinitions.inForce();
        SegmentMembership membership = segmentDefinitions.membership(definitions);
        List<MemberRowRepository.PassRow> rows = new ArrayList<>(memberIds.size());
        Map<String, Instant> gone = new HashMap<>();
        // Each member's entries and exits against the row read, queued with the row's write (only if it is written).
        Map<String, List<SegmentChange>> changes = new HashMap<>();
        for (String memberId : memberIds) {
            MemberHistory history = histories.getOrDefault(memberId, MemberHistory.EMPTY);
            MemberRowRepository.StoredRow stored = before.get(memberId);
            if (history.hasRow(asOf)) {
                RfmSnapshot row = membership.rowAt(calculator, memberId, history, asOf);
                rows.add(new MemberRowRepository.PassRow(row, stored == null ? null : stored.updatedAt()));
                changes.put(memberId, changes(memberId, stored, row.segments(), row.rfm(), asOf));
            } else {
                gone.put(memberId, stored == null ? null : stored.updatedAt()); // leaves every segment it was in
                changes.put(memberId, changes(memberId, stored, Set.of(), calculator.compute(memberId, history, asOf), asOf));
            }
        }
        List<SegmentChange> allChanges = changes.values().stream().flatMap(List::stream).toList();
        long t2 = System.nanoTime();
        // After every version read: versions of a member only grow, whatever the clocks of the replicas that wrote it.
        Instant updatedAt = states.newVersion(before.values().stream().map(MemberRowRepository.StoredRow::updatedAt)
                .max(Instant::compareTo).orElse(Instant.EPOCH));
        Set<String> writtenRows;
        Set<String> conflicted = new HashSet<>();
        // Empty: the rows were computed with definitions older than those stored, and none was written. The deletes
        // do not depend on the definitions (a member gone leaves every segment it was in).
        Uni<Set<String>> write;
        Uni<Set<String>> delete;
        if (whateverIsStored) {
            List<RfmSnapshot> snapshots = rows.stream().map(MemberRowRepository.PassRow::snapshot).toList();
            Set<String> all = new HashSet<>(snapshots.stream().map(row -> row.rfm().memberId()).toList());
            write = repository.upsert(snapshots, updatedAt, allChanges, definitions.version()).replaceWith(all);
            delete = repository.delete(gone.keySet(), allChanges).replaceWith(Set.of());
        } else {
            write = repository.writeIfUnchanged(rows, updatedAt, allChanges, definitions.version());
            delete = repository.deleteIfUnchanged(gone, allChanges);
        }
        var results = Uni.combine().all().unis(write.map(Optional::of)
                .onFailure(MemberRowRepository.DefinitionsChangedException.class).recoverWithItem(Optional.empty()), delete)
                .asTuple().await().indefinitely();
        boolean definitionsChanged = results.getItem1().isEmpty();
        writtenRows = results.getItem1().orElse(Set.of());
        conflicted.addAll(results.getItem2());
        for (MemberRowRepository.PassRow row : rows) {
            String memberId = row.snapshot().rfm().memberId();
            if (definitionsChanged) {
                conflicted.add(memberId);
                continue;
            }
            if (!writtenRows.contains(memberId)) {
                conflicted.add(memberId);
                continue;
            }
            MemberRowRepository.StoredRow stored = new MemberRowRepository.StoredRow(row.snapshot(), updatedAt);
            into.rows().add(stored);
            into.changes().addAll(changes.get(memberId));
            states.put(memberId, histories.get(memberId), stored);
        }
        gone.keySet().stream().filter(memberId -> !conflicted.contains(memberId)).forEach(memberId -> {
            into.gone().put(memberId, updatedAt);
            into.changes().addAll(changes.get(memberId));
            states.put(memberId, histories.getOrDefault(memberId, MemberHistory.EMPTY), null);
        });
        long t3 = System.nanoTime();
        readTime.record(Duration.ofNanos(t1 - t0));
        computeTime.record(Duration.ofNanos(t2 - t1));
        writeTime.record(Duration.ofNanos(t3 - t2));
        return new Attempt(conflicted, definitionsChanged);
    }

    private static List<SegmentChange> changes(String memberId, MemberRowRepository.StoredRow stored, Set<String> segments, Rfm rfm,
            Instant asOf) {
        return SegmentChange.between(memberId, stored == null ? Set.of() : stored.snapshot().segments(), segments, asOf,
                rfm.homeStoreId());
    }
}
