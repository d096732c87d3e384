package io.memberpulse.rfm.store;

import io.memberpulse.rfm.domain.Rfm;
import io.memberpulse.rfm.domain.RfmSnapshot;
import io.memberpulse.rfm.domain.SegmentChange;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlResult;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Set-at-a-time SQL for the members' rows as written (member_rfm) and the removals of rows (member_rfm_removed): the
 * live path's and the re-ageing pass's writes, each queueing its segment changes in the outbox in its transaction
 * (SegmentChangeOutboxRepository), and the reads that load and catch up the in-memory state.
 */
@ApplicationScoped
public class MemberRowRepository {
    private final Pool pool;

    public MemberRowRepository(Pool pool) {
        this.pool = pool;
    }

    /** A member's row as stored, with when it was written (the re-ageing pass writes only over that version). */
    public record StoredRow(RfmSnapshot snapshot, Instant updatedAt) {
    }

    /** The stored rows of these members (as written, not aged), by member id. */
    public Uni<Map<String, StoredRow>> rowsOf(Collection<String> memberIds) {
        return pool.preparedQuery("SELECT * FROM member_rfm WHERE member_id = ANY($1)")
                .execute(Tuple.of(memberIds.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, StoredRow> found = new HashMap<>();
                    for (Row row : rows) {
                        found.put(row.getString("member_id"), storedRow(row));
                    }
                    return found;
                });
    }

    /** Every stored row, streamed. */
    public Uni<Long> forEachRow(java.util.function.Consumer<StoredRow> each) {
        return RowScan.forEach(pool, "SELECT * FROM member_rfm", row -> each.accept(storedRow(row)));
    }

    /** Members whose row was written after the instant, with when, but for rows of the given versions. */
    public Uni<Map<String, Instant>> writtenSince(Instant since, Collection<Instant> exceptVersions) {
        return pool.preparedQuery("SELECT member_id, updated_at FROM member_rfm WHERE updated_at > $1 AND updated_at <> ALL($2)")
                .execute(Tuple.of(utc(since), exceptVersions.stream().map(MemberRowRepository::utc).toArray(OffsetDateTime[]::new)))
                .map(rows -> {
                    Map<String, Instant> written = new HashMap<>();
                    rows.forEach(row -> written.put(row.getString(0), row.getOffsetDateTime(1).toInstant()));
                    return written;
                });
    }

    /**
     * Writes these members' rows whatever was stored: the live path's last resort when other replicas kept
     * rewriting them (see MemberRecomputation). Queues the members' segment changes in the same transaction
     * (SegmentChangeOutboxRepository.queue), and only if the segment definitions are still the version the rows were
     * computed with: else fails with
     * {@link DefinitionsChangedException} and writes nothing (see {@link #holdDefinitions}).
     */
    public Uni<Void> upsert(List<RfmSnapshot> rows, Instant updatedAt, List<SegmentChange> changes, long definitionsVersion) {
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Set<String> members = new HashSet<>(rows.stream().map(row -> row.rfm().memberId()).toList());
        return pool.withTransaction(tx -> holdDefinitions(tx, definitionsVersion)
                .chain(() -> tx.preparedQuery(INSERT + " WHERE " + NOT_ERASED + " ON CONFLICT (member_id) DO UPDATE SET "
                        + set("EXCLUDED.", false))
                        .execute(columns(rows, updatedAt)))
                .chain(() -> SegmentChangeOutboxRepository.queue(tx, changes, members)));
    }

    /** Rows computed with segment definitions older than those stored: nothing was written. */
    public static final class DefinitionsChangedException extends RuntimeException {
        public DefinitionsChangedException(long computedWith, long stored) {
            super("segment definitions changed: rows computed with version " + computedWith + ", " + stored + " stored", null,
                    false, false);
        }
    }

    /**
     * The first statement of a transaction writing rows computed with the segment definitions of that version: holds
     * the definitions' version FOR SHARE until the commit, so a change to them (which raises it, RuleSegmentRepository)
     * waits for this write, and fails with DefinitionsChangedException, rolling the transaction back, when a change
     * was stored since. A write that commits is therefore one made before the change was stored, which the replica
     * storing it re-evaluates afterwards (its backfill), never one that undoes what that backfill wrote. One index
     * probe per transaction.
     */
    private static Uni<Void> holdDefinitions(SqlClient tx, long definitionsVersion) {
        return tx.query("SELECT version FROM segment_definitions WHERE id = 1 FOR SHARE").execute().invoke(result -> {
            long stored = result.iterator().next().getLong(0);
            if (stored != definitionsVersion) {
                throw new DefinitionsChangedException(definitionsVersion, stored);
            }
        }).replaceWithVoid();
    }

    /** A computed row, and the version of the stored row it replaces (null: none stored). */
    public record PassRow(RfmSnapshot snapshot, Instant replaces) {
    }

    /**
     * Writes rows, each only over the version it was computed against (a row another replica wrote
     * meanwhile stays as it is) and never re-creating a member absorbed by a merge: the re-ageing pass's
     * and the live path's writes. Queues the segment changes of the members written in the same transaction
     * (SegmentChangeOutboxRepository.queue): each computed against the row it replaces, so only a written row's changes
     * hold. Only if the segment definitions are still the version the rows were computed with: else fails with
     * {@link DefinitionsChangedException} and writes nothing (holdDefinitions). Returns the member ids written.
     */
    public Uni<Set<String>> writeIfUnchanged(List<PassRow> rows, Instant updatedAt, List<SegmentChange> changes,
            long definitionsVersion) {
        if (rows.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return pool.withTransaction(tx -> holdDefinitions(tx, definitionsVersion)
                .chain(() -> writeIfUnchanged(tx, rows, updatedAt))
                .call(written -> SegmentChangeOutboxRepository.queue(tx, changes, written)));
    }

    private static Uni<Set<String>> writeIfUnchanged(SqlClient client, List<PassRow> rows, Instant updatedAt) {
        List<RfmSnapshot> updates = new ArrayList<>();
        List<OffsetDateTime> versions = new ArrayList<>();
        List<RfmSnapshot> inserts = new ArrayList<>();
        for (PassRow row : rows) {
            if (row.replaces() == null) {
                inserts.add(row.snapshot());
            } else {
                updates.add(row.snapshot());
                versions.add(utc(row.replaces()));
            }
        }
        Set<String> written = new HashSet<>();
        Uni<Void> done = Uni.createFrom().voidItem();
        if (!updates.isEmpty()) {
            Tuple update = columns(updates, updatedAt).addArrayOfOffsetDateTime(versions.toArray(OffsetDateTime[]::new));
            done = done.chain(() -> client.preparedQuery("UPDATE member_rfm m SET " + set("u.", true) + " FROM unnest(" + ARRAYS
                            + ", $20::timestamptz[]) AS u(" + NAMES + ", replaces)"
                            + " WHERE m.member_id = u.member_id AND m.updated_at = u.replaces RETURNING m.member_id")
                    .execute(update).invoke(result -> result.forEach(row -> written.add(row.getString(0)))).replaceWithVoid());
        }
        if (!inserts.isEmpty()) {
            done = done.chain(() -> client.preparedQuery(INSERT
                            + " WHERE NOT EXISTS (SELECT 1 FROM member_alias a WHERE a.absorbed_member_id = u.member_id)"
                            + " AND " + NOT_ERASED
                            + " ON CONFLICT (member_id) DO NOTHING RETURNING member_id")
                    .execute(columns(inserts, updatedAt)).invoke(result -> result.forEach(row -> written.add(row.getString(0))))
                    .replaceWithVoid());
        }
        return done.replaceWith(() -> written);
    }

    /**
     * A row to insert is not of an erased member: a recomputation that read the member's facts before the erasure
     * committed writes after it (the erasure deleted the row, so an update finds none; an insert would bring it back).
     */
    private static final String NOT_ERASED = "NOT EXISTS (SELECT 1 FROM erased_member e WHERE e.member_id = u.member_id)";

    private static final List<String> COLUMNS = List.of("member_id", "as_of", "last_purchase_at", "recency_days",
            "frequency_7d", "frequency_14d", "frequency_30d", "frequency_90d", "weighted_frequency_30d",
            "weighted_frequency_90d", "monetary_net_30d", "monetary_net_90d", "monetary_margin_90d", "orders_total",
            "monetary_net_total", "home_store_id", "registered_at", "segments", "updated_at");
    private static final String NAMES = String.join(", ", COLUMNS);
    /** The 19 columns as parallel arrays; segments travel comma-joined (segment ids never hold a comma). */
    private static final String ARRAYS = """
            $1::text[], $2::timestamptz[], $3::timestamptz[], $4::float8[], $5::int4[], $6::int4[], $7::int4[], $8::int4[],
            $9::float8[], $10::float8[], $11::float8[], $12::float8[], $13::float8[], $14::int8[], $15::float8[], $16::text[],
            $17::timestamptz[], $18::text[], $19::timestamptz[]""";
    private static final String INSERT = "INSERT INTO member_rfm (" + NAMES + ") SELECT "
            + String.join(", ", COLUMNS.stream().map(c -> c.equals("segments") ? "string_to_array(u.segments, ',')" : "u." + c).toList())
            + " FROM unnest(" + ARRAYS + ") AS u(" + NAMES + ")";

    private static String set(String source, boolean segmentsJoined) {
        return String.join(", ", COLUMNS.stream().filter(c -> !c.equals("member_id"))
                .map(c -> c + " = " + (segmentsJoined && c.equals("segments") ? "string_to_array(" + source + c + ", ',')" : source + c))
                .toList());
    }

    private static Tuple columns(List<RfmSnapshot> rows, Instant updatedAt) {
        int n = rows.size();
        String[] ids = new String[n], stores = new String[n], segments = new String[n];
        OffsetDateTime[] asOf = new OffsetDateTime[n], last = new OffsetDateTime[n], registered = new OffsetDateTime[n],
                updated = new OffsetDateTime[n];
        Double[] recency = new Double[n], wf30 = new Double[n], wf90 = new Double[n], m30 = new Double[n], m90 = new Double[n],
                margin90 = new Double[n], mTotal = new Double[n];
        Integer[] f7 = new Integer[n], f14 = new Integer[n], f30 = new Integer[n], f90 = new Integer[n];
        Long[] orders = new Long[n];
        OffsetDateTime at = utc(updatedAt);
        for (int i = 0; i < n; i++) {
            Rfm r = rows.get(i).rfm();
            ids[i] = r.memberId();
            asOf[i] = utc(r.asOf());
            last[i] = r.lastPurchaseAt() == null ? null : utc(r.lastPurchaseAt());
            recency[i] = r.recencyDays();
            f7[i] = r.frequency7d();
            f14[i] = r.frequency14d();
            f30[i] = r.frequency30d();
            f90[i] = r.frequency90d();
            wf30[i] = r.weightedFrequency30d();
            wf90[i] = r.weightedFrequency90d();
            m30[i] = r.monetaryNet30d();
            m90[i] = r.monetaryNet90d();
            margin90[i] = r.monetaryMargin90d();
            orders[i] = r.ordersTotal();
            mTotal[i] = r.monetaryNetTotal();
            stores[i] = r.homeStoreId();
            registered[i] = r.registeredAt() == null ? null : utc(r.registeredAt());
            segments[i] = String.join(",", rows.get(i).segments());
            updated[i] = at;
        }
        return Tuple.from(new Object[] {ids, asOf, last, recency, f7, f14, f30, f90, wf30, wf90, m30, m90, margin90, orders,
                mTotal, stores, registered, segments, updated});
    }

    /**
     * Forgets members who no longer have any purchase or registration (absorbed by a merge, emptied by a split),
     * each only when its row is still the version read (null: none was read, nothing to delete), records the
     * removal for other replicas' catch-up (removedSince) and queues the removed members' exits in the same
     * transaction (SegmentChangeOutboxRepository.queue). Returns the members whose stored row was another version:
     * someone wrote them meanwhile.
     */
    public Uni<Set<String>> deleteIfUnchanged(Map<String, Instant> versionsRead, List<SegmentChange> changes) {
        List<String> ids = new ArrayList<>();
        List<OffsetDateTime> versions = new ArrayList<>();
        versionsRead.forEach((id, version) -> {
            if (version != null) {
                ids.add(id);
                versions.add(utc(version));
            }
        });
        return remove("""
                DELETE FROM member_rfm m USING unnest($1::text[], $2::timestamptz[]) AS u (member_id, version)
                WHERE m.member_id = u.member_id AND m.updated_at = u.version RETURNING m.member_id""",
                Tuple.of(ids.toArray(String[]::new), versions.toArray(OffsetDateTime[]::new)), ids, changes);
    }

    /**
     * Forgets these members whatever is stored, recording the removal and queueing the removed members' exits as
     * deleteIfUnchanged does.
     */
    public Uni<Void> delete(Collection<String> memberIds, List<SegmentChange> changes) {
        return remove("DELETE FROM member_rfm WHERE member_id = ANY($1) RETURNING member_id",
                Tuple.of(memberIds.toArray(String[]::new)), List.copyOf(memberIds), changes).replaceWithVoid();
    }

    /**
     * Runs the delete, records what it removed and queues the removed members' changes, in one transaction; returns
     * the given members it did not remove.
     */
    private Uni<Set<String>> remove(String delete, Tuple arguments, List<String> ids, List<SegmentChange> changes) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return pool.withTransaction(tx -> tx.preparedQuery(delete).execute(arguments).flatMap(deleted -> {
            List<String> removed = new ArrayList<>();
            deleted.forEach(row -> removed.add(row.getString(0)));
            return tx.preparedQuery("""
                            INSERT INTO member_rfm_removed (member_id, removed_at) SELECT unnest($1::text[]), now()
                            ON CONFLICT (member_id) DO UPDATE SET removed_at = EXCLUDED.removed_at""")
                    .execute(Tuple.of(removed.toArray(String[]::new)))
                    .chain(() -> SegmentChangeOutboxRepository.queue(tx, changes, new HashSet<>(removed)))
                    .map(ignored -> {
                        Set<String> kept = new HashSet<>(ids);
                        removed.forEach(kept::remove);
                        return kept;
                    });
        }));
    }

    /** Members whose row was removed after the instant (deleteIfUnchanged), or who were erased after it. */
    public Uni<Set<String>> removedSince(Instant since) {
        return pool.preparedQuery("""
                        SELECT member_id FROM member_rfm_removed WHERE removed_at > $1
                        UNION SELECT member_id FROM erased_member WHERE erased_at > $1""")
                .execute(Tuple.of(utc(since)))
                .map(rows -> {
                    Set<String> removed = new HashSet<>();
                    rows.forEach(row -> removed.add(row.getString(0)));
                    return removed;
                });
    }

    /** Forgets the removals recorded before the instant; returns how many. */
    public Uni<Integer> forgetRemovalsBefore(Instant before) {
        return pool.preparedQuery("DELETE FROM member_rfm_removed WHERE removed_at < $1")
                .execute(Tuple.of(utc(before)))
                .map(SqlResult::rowCount);
    }

    /** How long removals are remembered for other replicas' catch-up; one further behind loads everything again. */
    public static final int REMOVALS_KEPT_DAYS = 7;

    static StoredRow storedRow(Row row) {
        return new StoredRow(snapshot(row), row.getOffsetDateTime("updated_at").toInstant());
    }

    static RfmSnapshot snapshot(Row row) {
        OffsetDateTime last = row.getOffsetDateTime("last_purchase_at");
        OffsetDateTime registered = row.getOffsetDateTime("registered_at");
        Rfm rfm = new Rfm(row.getString("member_id"), row.getOffsetDateTime("as_of").toInstant(),
                last == null ? null : last.toInstant(), row.getDouble("recency_days"),
                row.getInteger("frequency_7d"), row.getInteger("frequency_14d"), row.getInteger("frequency_30d"),
                row.getInteger("frequency_90d"), row.getDouble("weighted_frequency_30d"),
                row.getDouble("weighted_frequency_90d"), row.getDouble("monetary_net_30d"),
                row.getDouble("monetary_net_90d"), row.getDouble("monetary_margin_90d"), row.getLong("orders_total"),
                row.getDouble("monetary_net_total"), row.getString("home_store_id"),
                registered == null ? null : registered.toInstant());
        return new RfmSnapshot(rfm, new LinkedHashSet<>(Arrays.asList(row.getArrayOfStrings("segments"))));
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
