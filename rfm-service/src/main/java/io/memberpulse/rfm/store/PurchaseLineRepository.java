package io.memberpulse.rfm.store;

import io.memberpulse.rfm.domain.PurchaseLine;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Set-at-a-time SQL for purchase lines (purchase_line) and the keys of those retracted (purchase_line_retracted). */
@ApplicationScoped
public class PurchaseLineRepository {
    /**
     * A line as {@link #line} reads it, after its member: the order named across channels (source:order_id, a till's
     * 1001 and the mini-program's 1001 are two orders).
     */
    private static final String LINE_COLUMNS = "SELECT member_id, coalesce(order_source, source) || ':' || order_id, kind, occurred_at, store_id, "
            + "paid_amount, margin_rate, refund_amount, category";

    private final Pool pool;

    public PurchaseLineRepository(Pool pool) {
        this.pool = pool;
    }

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
                .map(PurchaseLineRepository::inserted);
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
                .execute(keyArrays(keys)).map(PurchaseLineRepository::firstColumn);
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
                .execute(keyArrays(keys)).map(PurchaseLineRepository::firstColumn);
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

    /** Every purchase line with its member id, streamed. */
    public Uni<Long> forEachLine(java.util.function.BiConsumer<String, PurchaseLine> each) {
        return RowScan.forEach(pool, LINE_COLUMNS + " FROM purchase_line", row -> each.accept(row.getString(0), line(row)));
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
