package io.memberpulse.rfm.store;

import io.memberpulse.rfm.domain.PurchaseLine;
import io.memberpulse.rfm.domain.Rfm;
import io.memberpulse.rfm.domain.RfmSnapshot;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Set-at-a-time SQL for purchase lines, member RFM and the event-time clock. */
@ApplicationScoped
public class RfmRepository {
    private final Pool pool;

    public RfmRepository(Pool pool) {
        this.pool = pool;
    }

    /** A purchase line with its member and event key, as written. */
    public record StoredLine(String source, String eventId, String memberId, PurchaseLine line, double discountAmount,
            String sku) {
    }

    /** Stores new lines (a known source + event_id changes nothing); returns how many were new. */
    public Uni<Integer> insertLines(List<StoredLine> lines) {
        if (lines.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        List<Tuple> tuples = new ArrayList<>(lines.size());
        for (StoredLine stored : lines) {
            PurchaseLine line = stored.line();
            tuples.add(Tuple.from(Arrays.asList(stored.source(), stored.eventId(), stored.memberId(), line.orderId(),
                    line.kind() == PurchaseLine.Kind.ORDER ? "order" : "refund", utc(line.occurredAt()),
                    line.storeId(), line.paidAmount(), stored.discountAmount(), line.marginRate(), line.refundAmount(),
                    stored.sku() == null || stored.sku().isEmpty() ? null : stored.sku(), line.category())));
        }
        return pool.preparedQuery("""
                INSERT INTO purchase_line (source, event_id, member_id, order_id, kind, occurred_at, store_id,
                  paid_amount, discount_amount, margin_rate, refund_amount, sku, category)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING""")
                .executeBatch(tuples)
                .map(result -> {
                    int inserted = 0;
                    for (var r = result; r != null; r = r.next()) {
                        inserted += r.rowCount();
                    }
                    return inserted;
                });
    }

    public Uni<Map<String, List<PurchaseLine>>> linesOf(Collection<String> memberIds) {
        return pool.preparedQuery("""
                SELECT member_id, order_id, kind, occurred_at, store_id, paid_amount, margin_rate, refund_amount, category
                FROM purchase_line WHERE member_id = ANY($1)""")
                .execute(Tuple.of(memberIds.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, List<PurchaseLine>> lines = new HashMap<>();
                    for (Row row : rows) {
                        lines.computeIfAbsent(row.getString(0), id -> new ArrayList<>()).add(new PurchaseLine(
                                row.getString(1), "order".equals(row.getString(2)) ? PurchaseLine.Kind.ORDER : PurchaseLine.Kind.REFUND,
                                row.getOffsetDateTime(3).toInstant(), row.getString(4), row.getDouble(5), row.getDouble(6),
                                row.getDouble(7), row.getString(8)));
                    }
                    return lines;
                });
    }

    public Uni<Map<String, Set<String>>> segmentsOf(Collection<String> memberIds) {
        return pool.preparedQuery("SELECT member_id, segments FROM member_rfm WHERE member_id = ANY($1)")
                .execute(Tuple.of(memberIds.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, Set<String>> segments = new HashMap<>();
                    for (Row row : rows) {
                        segments.put(row.getString(0), new LinkedHashSet<>(Arrays.asList(row.getArrayOfStrings(1))));
                    }
                    return segments;
                });
    }

    public Uni<Void> upsert(List<RfmSnapshot> rows, Instant updatedAt) {
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> tuples = new ArrayList<>(rows.size());
        for (RfmSnapshot row : rows) {
            Rfm r = row.rfm();
            tuples.add(Tuple.from(Arrays.asList(r.memberId(), utc(r.asOf()), r.lastPurchaseAt() == null ? null : utc(r.lastPurchaseAt()),
                    r.recencyDays(), r.frequency7d(), r.frequency14d(), r.frequency30d(), r.frequency90d(),
                    r.weightedFrequency30d(), r.weightedFrequency90d(), r.monetaryNet30d(), r.monetaryNet90d(),
                    r.monetaryMargin90d(), r.ordersTotal(), r.monetaryNetTotal(), r.homeStoreId(),
                    row.segments().toArray(String[]::new), utc(updatedAt))));
        }
        return pool.preparedQuery("""
                INSERT INTO member_rfm (member_id, as_of, last_purchase_at, recency_days, frequency_7d, frequency_14d,
                  frequency_30d, frequency_90d, weighted_frequency_30d, weighted_frequency_90d, monetary_net_30d,
                  monetary_net_90d, monetary_margin_90d, orders_total, monetary_net_total, home_store_id, segments, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
                ON CONFLICT (member_id) DO UPDATE SET as_of = EXCLUDED.as_of, last_purchase_at = EXCLUDED.last_purchase_at,
                  recency_days = EXCLUDED.recency_days, frequency_7d = EXCLUDED.frequency_7d,
                  frequency_14d = EXCLUDED.frequency_14d, frequency_30d = EXCLUDED.frequency_30d,
                  frequency_90d = EXCLUDED.frequency_90d, weighted_frequency_30d = EXCLUDED.weighted_frequency_30d,
                  weighted_frequency_90d = EXCLUDED.weighted_frequency_90d, monetary_net_30d = EXCLUDED.monetary_net_30d,
                  monetary_net_90d = EXCLUDED.monetary_net_90d, monetary_margin_90d = EXCLUDED.monetary_margin_90d,
                  orders_total = EXCLUDED.orders_total, monetary_net_total = EXCLUDED.monetary_net_total,
                  home_store_id = EXCLUDED.home_store_id, segments = EXCLUDED.segments, updated_at = EXCLUDED.updated_at""")
                .executeBatch(tuples)
                .replaceWithVoid();
    }

    /** Forgets members who no longer have any purchase (absorbed by a merge, emptied by a split). */
    public Uni<Void> delete(Collection<String> memberIds) {
        if (memberIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return pool.preparedQuery("DELETE FROM member_rfm WHERE member_id = ANY($1)")
                .execute(Tuple.of(memberIds.toArray(String[]::new))).replaceWithVoid();
    }

    public Uni<Optional<RfmSnapshot>> find(String memberId) {
        return pool.preparedQuery("SELECT * FROM member_rfm WHERE member_id = $1").execute(Tuple.of(memberId))
                .map(rows -> {
                    var it = rows.iterator();
                    return it.hasNext() ? Optional.of(toRow(it.next())) : Optional.empty();
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

    /** Moves the clock forward (never back) and returns it. */
    public Uni<Instant> advanceWatermark(Instant seen) {
        return pool.preparedQuery("""
                INSERT INTO stream_clock (id, watermark) VALUES (1, $1)
                ON CONFLICT (id) DO UPDATE SET watermark = GREATEST(stream_clock.watermark, EXCLUDED.watermark)
                RETURNING watermark""")
                .execute(Tuple.of(utc(seen)))
                .map(rows -> rows.iterator().next().getOffsetDateTime(0).toInstant());
    }

    /** Member ids after the given one, in order: for paging over every member. */
    public Uni<List<String>> memberIdsAfter(String after, int limit) {
        return pool.preparedQuery("SELECT DISTINCT member_id FROM purchase_line WHERE member_id > $1 ORDER BY member_id LIMIT $2")
                .execute(Tuple.of(after, limit))
                .map(rows -> {
                    List<String> ids = new ArrayList<>();
                    rows.forEach(row -> ids.add(row.getString(0)));
                    return ids;
                });
    }

    /** Stored snapshots after the given member id, in order: for paging over every member. */
    public Uni<List<RfmSnapshot>> snapshotsAfter(String after, int limit) {
        return pool.preparedQuery("SELECT * FROM member_rfm WHERE member_id > $1 ORDER BY member_id LIMIT $2")
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

    /** Members of a segment (optionally of one store), streamed. */
    public Multi<RfmSnapshot> membersOf(String segmentId, String storeId) {
        return pool.preparedQuery("""
                SELECT * FROM member_rfm WHERE $1 = ANY(segments) AND ($2::text IS NULL OR home_store_id = $2)
                ORDER BY member_id""")
                .execute(Tuple.of(segmentId, storeId == null || storeId.isBlank() ? null : storeId))
                .onItem().transformToMulti(rows -> Multi.createFrom().iterable(rows))
                .map(RfmRepository::toRow);
    }

    public Uni<long[]> totals() {
        return pool.query("SELECT (SELECT count(*) FROM member_rfm), (SELECT count(*) FROM purchase_line)").execute()
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new long[] {row.getLong(0), row.getLong(1)};
                });
    }

    private static RfmSnapshot toRow(Row row) {
        OffsetDateTime last = row.getOffsetDateTime("last_purchase_at");
        Rfm rfm = new Rfm(row.getString("member_id"), row.getOffsetDateTime("as_of").toInstant(),
                last == null ? null : last.toInstant(), row.getDouble("recency_days"),
                row.getInteger("frequency_7d"), row.getInteger("frequency_14d"), row.getInteger("frequency_30d"),
                row.getInteger("frequency_90d"), row.getDouble("weighted_frequency_30d"),
                row.getDouble("weighted_frequency_90d"), row.getDouble("monetary_net_30d"),
                row.getDouble("monetary_net_90d"), row.getDouble("monetary_margin_90d"), row.getLong("orders_total"),
                row.getDouble("monetary_net_total"), row.getString("home_store_id"));
        return new RfmSnapshot(rfm, new LinkedHashSet<>(Arrays.asList(row.getArrayOfStrings("segments"))));
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
