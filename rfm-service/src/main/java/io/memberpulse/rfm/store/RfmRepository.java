package io.memberpulse.rfm.store;

import io.memberpulse.rfm.domain.PurchaseLine;
import io.memberpulse.rfm.domain.Rfm;
import io.memberpulse.rfm.domain.RfmSnapshot;
import io.memberpulse.rfm.domain.SegmentChange;
import io.smallrye.mutiny.Multi;
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
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** Set-at-a-time SQL for purchase lines, member RFM and the event-time clock. */
@ApplicationScoped
public class RfmRepository {
    /**
     * A line as {@link #line} reads it, after its member: the order named across channels (source:order_id, a till's
     * 1001 and the mini-program's 1001 are two orders).
     */
    private static final String LINE_COLUMNS = "SELECT member_id, coalesce(order_source, source) || ':' || order_id, kind, occurred_at, store_id, "
            + "paid_amount, margin_rate, refund_amount, category";

    /** Members read per page by the segment member stream. */
    private static final int STREAM_PAGE = 1_000;

    private final Pool pool;

    public RfmRepository(Pool pool) {
        this.pool = pool;
    }

    /** A purchase line with its member and event key, as written. */
    /**
     * A line to store under its key (source, eventId); {@code orderSource} is the channel of the order a refund applies
     * to when not its own (MemberEvent.counted_order), else null; {@code publicationVersion} is the event's
     * MemberEvent.publication_version, null when its publisher gave none.
     */
    public record StoredLine(String source, String eventId, String memberId, PurchaseLine line, double discountAmount,
            String sku, String orderSource, Long publicationVersion) {
    }

    /**
     * Stores new lines in one statement (a known or retracted source + event_id changes nothing, but for a refund
     * published again naming the order it applies to, MemberEvent.counted_order, the order counted in place of its own
     * or its own again: it moves to that order, once; a re-delivery without it, an older publication, leaves it there); returns how many were new: a moved
     * refund is no new line (memberpulse.rfm.purchase.lines).
     * @param client the transaction recording a batch (or the pool)
     */
    public Uni<Integer> insertLines(SqlClient client, List<StoredLine> lines) {
        if (lines.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        int n = lines.size();
        String[] sources = new String[n], eventIds = new String[n], members = new String[n], orders = new String[n],
                kinds = new String[n], stores = new String[n], skus = new String[n], categories = new String[n],
                orderSources = new String[n];
        Long[] versions = new Long[n];
        OffsetDateTime[] at = new OffsetDateTime[n];
        Double[] paid = new Double[n], discount = new Double[n], margin = new Double[n], refund = new Double[n];
        for (int i = 0; i < n; i++) {
            StoredLine stored = lines.get(i);
            PurchaseLine line = stored.line();
            sources[i] = stored.source();
            eventIds[i] = stored.eventId();
            members[i] = stored.memberId();
            orders[i] = line.orderId();
            kinds[i] = line.kind() == PurchaseLine.Kind.ORDER ? "order" : "refund";
            at[i] = utc(line.occurredAt());
            stores[i] = line.storeId();
            paid[i] = line.paidAmount();
            discount[i] = stored.discountAmount();
            margin[i] = line.marginRate();
            refund[i] = line.refundAmount();
            skus[i] = stored.sku() == null || stored.sku().isEmpty() ? null : stored.sku();
            categories[i] = line.category();
            orderSources[i] = stored.orderSource();
            versions[i] = stored.publicationVersion();
        }
        return client.preparedQuery("""
                INSERT INTO purchase_line (source, event_id, member_id, order_id, kind, occurred_at, store_id,
                  paid_amount, discount_amount, margin_rate, refund_amount, sku, category, order_source,
                  publication_version)
                SELECT DISTINCT ON (u.source, u.event_id) u.*
                FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[],
                  $7::text[], $8::float8[], $9::float8[], $10::float8[], $11::float8[], $12::text[], $13::text[],
                  $14::text[], $15::int8[])
                  AS u (source, event_id, member_id, order_id, kind, occurred_at, store_id, paid_amount, discount_amount,
                    margin_rate, refund_amount, sku, category, order_source, publication_version)
                WHERE NOT EXISTS (SELECT 1 FROM purchase_line_retracted r WHERE r.source = u.source AND r.event_id = u.event_id)
                -- one row per key (a batch may hold an event twice; an upsert may touch a row once per statement): the
                -- newest publication, and of those the one naming a counted order, if any
                ORDER BY u.source, u.event_id, u.publication_version DESC NULLS LAST, u.order_source NULLS LAST
                ON CONFLICT (source, event_id) DO UPDATE SET order_source = EXCLUDED.order_source,
                  order_id = EXCLUDED.order_id,
                  publication_version = GREATEST(purchase_line.publication_version, EXCLUDED.publication_version)
                WHERE purchase_line.kind = 'refund' AND EXCLUDED.order_source IS NOT NULL
                  -- a publication older than the one applied (consumed late from another member's partition after a
                  -- merge or split) changes nothing; without a version on either side, the last consumed wins
                  AND COALESCE(EXCLUDED.publication_version >= purchase_line.publication_version, TRUE)
                  AND ((purchase_line.order_source, purchase_line.order_id)
                      IS DISTINCT FROM (EXCLUDED.order_source, EXCLUDED.order_id)
                    OR EXCLUDED.publication_version > COALESCE(purchase_line.publication_version, 0))
                -- a row inserted has no xmax yet; one moved has (the transaction that updated it)
                RETURNING xmax = 0""")
                .execute(Tuple.from(new Object[] {sources, eventIds, members, orders, kinds, at, stores, paid, discount,
                        margin, refund, skus, categories, orderSources, versions}))
                .map(RfmRepository::inserted);
    }

    private static int inserted(Iterable<Row> rows) {
        int inserted = 0;
        for (Row row : rows) {
            inserted += row.getBoolean(0) ? 1 : 0;
        }
        return inserted;
    }

    /** A purchase line's key: the (normalised) source and the event id it was reported with. */
    public record LineKey(String source, String eventId) {
    }

    /**
     * Un-counts lines identity-service published again as another channel's report of the same order, in one
     * statement: deletes those stored and keeps every key with the member that held its line (see
     * {@link #holdersOfRetracted}), so that insertLines never stores them again (a first publication consumed again,
     * or only after its retraction). Returns the member that held each deleted line.
     * @param client the transaction recording a batch (or the pool)
     */
    public Uni<List<String>> retractLines(SqlClient client, List<LineKey> keys) {
        if (keys.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        // A key retracted before keeps the holder it has: a retraction consumed again deletes nothing.
        return client.preparedQuery("""
                WITH k AS (SELECT DISTINCT * FROM unnest($1::text[], $2::text[]) AS k (source, event_id)),
                deleted AS (DELETE FROM purchase_line p USING k WHERE p.source = k.source AND p.event_id = k.event_id
                  RETURNING p.source, p.event_id, p.member_id),
                kept AS (INSERT INTO purchase_line_retracted (source, event_id) SELECT source, event_id FROM k
                  WHERE NOT EXISTS (SELECT 1 FROM deleted d WHERE d.source = k.source AND d.event_id = k.event_id)
                  ON CONFLICT DO NOTHING),
                held AS (INSERT INTO purchase_line_retracted (source, event_id, member_id) SELECT * FROM deleted
                  ON CONFLICT (source, event_id) DO UPDATE SET member_id = EXCLUDED.member_id)
                SELECT member_id FROM deleted""")
                .execute(keyArrays(keys)).map(RfmRepository::firstColumn);
    }

    /**
     * The members holding now (through member_alias, when merged away since) the lines that retractions of these keys
     * deleted, whenever that was. A batch retried after its facts committed (its recomputation failed) deletes nothing
     * again: these are the members its retractions touched.
     */
    public Uni<Set<String>> holdersOfRetracted(List<LineKey> keys) {
        if (keys.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return pool.preparedQuery("""
                SELECT DISTINCT COALESCE(a.surviving_member_id, r.member_id)
                FROM unnest($1::text[], $2::text[]) AS k (source, event_id)
                JOIN purchase_line_retracted r ON r.source = k.source AND r.event_id = k.event_id
                LEFT JOIN member_alias a ON a.absorbed_member_id = r.member_id
                WHERE r.member_id IS NOT NULL""")
                .execute(keyArrays(keys)).map(rows -> new LinkedHashSet<>(firstColumn(rows)));
    }

    /**
     * Deletes the stored lines among the keys whose key is retracted, in a statement of its own after the recording
     * transaction committed; returns the member that held each. A line and its retraction recorded at the same moment
     * by two replicas (on different partitions after a merge re-keyed the line) each miss the other's uncommitted
     * row; whichever commits second sees the first's here, since both look again after their commit. The key keeps
     * the member that held the line (holdersOfRetracted). Usually deletes nothing: two index probes per key.
     */
    public Uni<List<String>> deleteRetractedAmong(List<LineKey> keys) {
        if (keys.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return pool.preparedQuery("""
                WITH deleted AS (DELETE FROM purchase_line p USING unnest($1::text[], $2::text[]) AS k (source, event_id)
                  WHERE p.source = k.source AND p.event_id = k.event_id
                    AND EXISTS (SELECT 1 FROM purchase_line_retracted r WHERE r.source = k.source AND r.event_id = k.event_id)
                  RETURNING p.source, p.event_id, p.member_id),
                held AS (UPDATE purchase_line_retracted r SET member_id = d.member_id FROM deleted d
                  WHERE r.source = d.source AND r.event_id = d.event_id)
                SELECT member_id FROM deleted""")
                .execute(keyArrays(keys)).map(RfmRepository::firstColumn);
    }

    /** The keys as two parallel arrays, $1 sources and $2 event ids, for unnest. */
    private static Tuple keyArrays(List<LineKey> keys) {
        return Tuple.of(keys.stream().map(LineKey::source).toArray(String[]::new),
                keys.stream().map(LineKey::eventId).toArray(String[]::new));
    }

    private static List<String> firstColumn(Iterable<Row> rows) {
        List<String> values = new ArrayList<>();
        rows.forEach(row -> values.add(row.getString(0)));
        return values;
    }

    public Uni<Map<String, List<PurchaseLine>>> linesOf(Collection<String> memberIds) {
        return pool.preparedQuery(LINE_COLUMNS + " FROM purchase_line WHERE member_id = ANY($1)")
                .execute(Tuple.of(memberIds.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, List<PurchaseLine>> lines = new HashMap<>();
                    for (Row row : rows) {
                        lines.computeIfAbsent(row.getString(0), id -> new ArrayList<>()).add(line(row));
                    }
                    return lines;
                });
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

    /** Every purchase line with its member id, streamed. */
    public Uni<Long> forEachLine(java.util.function.BiConsumer<String, PurchaseLine> each) {
        return RowScan.forEach(pool, LINE_COLUMNS + " FROM purchase_line", row -> each.accept(row.getString(0), line(row)));
    }

    /** Members whose row was written after the instant, with when, but for rows of the given versions. */
    public Uni<Map<String, Instant>> writtenSince(Instant since, Collection<Instant> exceptVersions) {
        return pool.preparedQuery("SELECT member_id, updated_at FROM member_rfm WHERE updated_at > $1 AND updated_at <> ALL($2)")
                .execute(Tuple.of(utc(since), exceptVersions.stream().map(RfmRepository::utc).toArray(OffsetDateTime[]::new)))
                .map(rows -> {
                    Map<String, Instant> written = new HashMap<>();
                    rows.forEach(row -> written.put(row.getString(0), row.getOffsetDateTime(1).toInstant()));
                    return written;
                });
    }

    /**
     * Writes these members' rows whatever was stored: the live path's last resort when other replicas kept
     * rewriting them (see MemberRecomputation). Queues the members' segment changes in the same transaction (queueChanges),
     * and only if the segment definitions are still the version the rows were computed with: else fails with
     * {@link DefinitionsChangedException} and writes nothing (see {@link #holdDefinitions}).
     */
    public Uni<Void> upsert(List<RfmSnapshot> rows, Instant updatedAt, List<SegmentChange> changes, long definitionsVersion) {
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Set<String> members = new HashSet<>(rows.stream().map(row -> row.rfm().memberId()).toList());
        return pool.withTransaction(tx -> holdDefinitions(tx, definitionsVersion)
                .chain(() -> tx.preparedQuery(INSERT + " ON CONFLICT (member_id) DO UPDATE SET " + set("EXCLUDED.", false))
                        .execute(columns(rows, updatedAt)))
                .chain(() -> queueChanges(tx, changes, members)));
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
     * (queueChanges): each computed against the row it replaces, so only a written row's changes hold. Only if the
     * segment definitions are still the version the rows were computed with: else fails with
     * {@link DefinitionsChangedException} and writes nothing (holdDefinitions). Returns the member ids written.
     */
    public Uni<Set<String>> writeIfUnchanged(List<PassRow> rows, Instant updatedAt, List<SegmentChange> changes,
            long definitionsVersion) {
        if (rows.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return pool.withTransaction(tx -> holdDefinitions(tx, definitionsVersion)
                .chain(() -> writeIfUnchanged(tx, rows, updatedAt))
                .call(written -> queueChanges(tx, changes, written)));
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
                            + " ON CONFLICT (member_id) DO NOTHING RETURNING member_id")
                    .execute(columns(inserts, updatedAt)).invoke(result -> result.forEach(row -> written.add(row.getString(0))))
                    .replaceWithVoid());
        }
        return done.replaceWith(() -> written);
    }

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
     * transaction (queueChanges). Returns the members whose stored row was another version: someone wrote them
     * meanwhile.
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
                    .chain(() -> queueChanges(tx, changes, new HashSet<>(removed)))
                    .map(ignored -> {
                        Set<String> kept = new HashSet<>(ids);
                        removed.forEach(kept::remove);
                        return kept;
                    });
        }));
    }

    /**
     * Queues the changes of these members (those whose row the caller's transaction wrote or removed) in the outbox,
     * in their order: committed with the rows, so they are published even if this replica stops, or the broker is
     * away, before its output runs. For one member a later write queues later (it waits for the row lock of the
     * write before and then reads that row), so the outbox's order is each member's order.
     */
    private static Uni<Void> queueChanges(SqlClient client, List<SegmentChange> changes, Set<String> ofMembers) {
        List<SegmentChange> queued = changes.stream().filter(change -> ofMembers.contains(change.memberId())).toList();
        if (queued.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = queued.size();
        String[] members = new String[n], segments = new String[n], stores = new String[n];
        Boolean[] entered = new Boolean[n];
        OffsetDateTime[] at = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            SegmentChange change = queued.get(i);
            members[i] = change.memberId();
            segments[i] = change.segmentId();
            entered[i] = change.entered();
            at[i] = utc(change.at());
            stores[i] = change.homeStoreId();
        }
        return client.preparedQuery("""
                INSERT INTO segment_change_outbox (member_id, segment_id, entered, at, home_store_id)
                SELECT member_id, segment_id, entered, at, home_store_id
                FROM unnest($1::text[], $2::text[], $3::bool[], $4::timestamptz[], $5::text[]) WITH ORDINALITY
                  AS c (member_id, segment_id, entered, at, home_store_id, n) ORDER BY n""")
                .execute(Tuple.of(members, segments, entered, at, stores)).replaceWithVoid();
    }

    /**
     * Publishes up to {@code limit} queued segment changes, oldest first, and deletes them once {@code publish}
     * completes (the broker has them); a failed publish leaves them queued. They stay locked meanwhile, so another
     * replica publishing at the same time waits and goes on after them: no change overtakes an earlier one.
     * Returns how many were published.
     */
    public Uni<Integer> publishQueuedChanges(int limit, Function<List<SegmentChange>, Uni<Void>> publish) {
        return pool.withTransaction(tx -> tx.preparedQuery("""
                        SELECT id, member_id, segment_id, entered, at, home_store_id FROM segment_change_outbox
                        ORDER BY id LIMIT $1 FOR UPDATE""")
                .execute(Tuple.of(limit))
                .flatMap(rows -> {
                    List<Long> ids = new ArrayList<>();
                    List<SegmentChange> changes = new ArrayList<>();
                    for (Row row : rows) {
                        ids.add(row.getLong(0));
                        changes.add(new SegmentChange(row.getString(1), row.getString(2), row.getBoolean(3),
                                row.getOffsetDateTime(4).toInstant(), row.getString(5)));
                    }
                    if (changes.isEmpty()) {
                        return Uni.createFrom().item(0);
                    }
                    return publish.apply(changes)
                            .chain(() -> tx.preparedQuery("DELETE FROM segment_change_outbox WHERE id = ANY($1)")
                                    .execute(Tuple.of(ids.toArray(Long[]::new))))
                            .replaceWith(changes.size());
                }));
    }

    /** Members whose row was removed after the instant (deleteIfUnchanged). */
    public Uni<Set<String>> removedSince(Instant since) {
        return pool.preparedQuery("SELECT member_id FROM member_rfm_removed WHERE removed_at > $1")
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

    /**
     * A member's row as written with its version, and the instant every member was last re-aged to (null before the
     * first pass): what a read answers ({@link #snapshot()}) and what it may cache (RfmCache.putRead).
     */
    public record FoundRow(StoredRow stored, Instant agedTo) {
        /** The row as read: R moved to the last re-ageing, as the other reads of rows answer. */
        public RfmSnapshot snapshot() {
            RfmSnapshot row = stored.snapshot();
            return agedTo == null ? row : new RfmSnapshot(row.rfm().agedTo(agedTo), row.segments());
        }
    }

    public Uni<Optional<FoundRow>> find(String memberId) {
        return pool.preparedQuery("SELECT r.*, c.aged_to FROM member_rfm r LEFT JOIN stream_clock c ON c.id = 1 WHERE member_id = $1")
                .execute(Tuple.of(memberId))
                .map(rows -> {
                    var it = rows.iterator();
                    if (!it.hasNext()) {
                        return Optional.empty();
                    }
                    Row row = it.next();
                    OffsetDateTime agedTo = row.getOffsetDateTime("aged_to");
                    return Optional.of(new FoundRow(storedRow(row), agedTo == null ? null : agedTo.toInstant()));
                });
    }

    /** The event-time clock; empty before the first event. */
    public Uni<Optional<Instant>> watermark() {
        return pool.query("SELECT watermark FROM stream_clock WHERE id = 1").execute()
                .map(rows -> {
                    var it = rows.iterator();
                    return it.hasNext() ? Optional.of(it.next().getOffsetDateTime(0).toInstant()) : Optional.empty();
                });
    }

    /** The instant every member was last re-aged to; empty before the first pass. */
    public Uni<Optional<Instant>> agedTo() {
        return pool.query("SELECT aged_to FROM stream_clock WHERE id = 1").execute()
                .map(rows -> {
                    var it = rows.iterator();
                    OffsetDateTime at = it.hasNext() ? it.next().getOffsetDateTime(0) : null;
                    return Optional.ofNullable(at).map(OffsetDateTime::toInstant);
                });
    }

    /** Records that every member was re-aged to the instant (never moves back). */
    public Uni<Void> markAgedTo(Instant clock) {
        return pool.preparedQuery("UPDATE stream_clock SET aged_to = GREATEST(aged_to, $1) WHERE id = 1")
                .execute(Tuple.of(utc(clock))).replaceWithVoid();
    }

    /** Moves the clock forward (never back) and returns it. */
    public Uni<Instant> advanceWatermark(Instant seen) {
        return pool.preparedQuery("""
                INSERT INTO stream_clock (id, watermark) VALUES (1, $1)
                ON CONFLICT (id) DO UPDATE SET watermark = GREATEST(stream_clock.watermark, EXCLUDED.watermark)
                RETURNING watermark""")
                .execute(Tuple.of(utc(seen)))
                .map(rows -> rows.iterator().next().getOffsetDateTime(0).toInstant());
    }

    /** Stored snapshots after the given member id, in order: for paging over every member. */
    public Uni<List<RfmSnapshot>> snapshotsAfter(String after, int limit) {
        return pool.preparedQuery("""
                SELECT r.*, c.aged_to FROM member_rfm r LEFT JOIN stream_clock c ON c.id = 1
                WHERE member_id > $1 ORDER BY member_id LIMIT $2""")
                .execute(Tuple.of(after, limit))
                .map(rows -> {
                    List<RfmSnapshot> page = new ArrayList<>();
                    rows.forEach(row -> page.add(toRow(row)));
                    return page;
                });
    }

    public Uni<Map<String, Long>> segmentSizes() {
        return pool.query("SELECT s, count(*) FROM member_rfm, unnest(segments) AS s GROUP BY s ORDER BY s").execute()
                .map(rows -> {
                    Map<String, Long> sizes = new LinkedHashMap<>();
                    rows.forEach(row -> sizes.put(row.getString(0), row.getLong(1)));
                    return sizes;
                });
    }

    /** Members of a segment (optionally of one store), streamed a page at a time (see the method below). */
    public Multi<RfmSnapshot> membersOf(String segmentId, String storeId) {
        return membersOf(segmentId, storeId, STREAM_PAGE);
    }

    /**
     * Members of a segment (optionally of one store) in member id order, read a page of {@code pageSize} after the last
     * member streamed, each page only when the subscriber asks for more: a segment of millions is never held at once
     * (it was read whole with one query). A member who joins or leaves meanwhile is seen or not, but none twice.
     */
    public Multi<RfmSnapshot> membersOf(String segmentId, String storeId, int pageSize) {
        return Multi.createFrom().deferred(() -> {
            String[] after = {null}; // the last member id streamed, per subscription
            return Multi.createBy().repeating()
                    .uni(() -> membersOf(segmentId, storeId, after[0], 0, pageSize).invoke(page -> {
                        if (!page.isEmpty()) {
                            after[0] = page.get(page.size() - 1).rfm().memberId();
                        }
                    }))
                    .whilst(page -> page.size() == pageSize)
                    .onItem().transformToIterable(page -> page);
        });
    }

    /**
     * One page of a segment's members (optionally of one store) in member id order: those after the member id given
     * (null: from the first), skipping offset of them, at most limit. Only the page is read, whatever the segment's size.
     */
    public Uni<List<RfmSnapshot>> membersOf(String segmentId, String storeId, String after, int offset, int limit) {
        return pool.preparedQuery("""
                SELECT r.*, c.aged_to FROM member_rfm r LEFT JOIN stream_clock c ON c.id = 1
                WHERE $1 = ANY(segments) AND ($2::text IS NULL OR home_store_id = $2)
                  AND ($3::text IS NULL OR member_id > $3)
                ORDER BY member_id OFFSET $4 LIMIT $5""")
                .execute(Tuple.of(segmentId, storeId == null || storeId.isBlank() ? null : storeId, after, offset, limit))
                .map(rows -> {
                    List<RfmSnapshot> page = new ArrayList<>();
                    rows.forEach(row -> page.add(toRow(row)));
                    return page;
                });
    }

    public Uni<long[]> totals() {
        return pool.query("SELECT (SELECT count(*) FROM member_rfm), (SELECT count(*) FROM purchase_line)").execute()
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new long[] {row.getLong(0), row.getLong(1)};
                });
    }

    /** A row as read: R moved to the last re-ageing when the pass found nothing else changed since the row was written. */
    private static RfmSnapshot toRow(Row row) {
        RfmSnapshot stored = snapshot(row);
        OffsetDateTime agedTo = row.getOffsetDateTime("aged_to");
        return agedTo == null ? stored : new RfmSnapshot(stored.rfm().agedTo(agedTo.toInstant()), stored.segments());
    }

    private static StoredRow storedRow(Row row) {
        return new StoredRow(snapshot(row), row.getOffsetDateTime("updated_at").toInstant());
    }

    private static RfmSnapshot snapshot(Row row) {
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

    private static PurchaseLine line(Row row) {
        return new PurchaseLine(row.getString(1), "order".equals(row.getString(2)) ? PurchaseLine.Kind.ORDER : PurchaseLine.Kind.REFUND,
                row.getOffsetDateTime(3).toInstant(), row.getString(4), row.getDouble(5), row.getDouble(6),
                row.getDouble(7), row.getString(8));
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
