package io.memberpulse.churn.store;

import io.memberpulse.churn.domain.Purchase;
import io.memberpulse.churn.domain.features.StockOut;
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
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Records the facts member.events and intervention.outcomes bring (order and refund lines and their retractions,
 * activities, stock-outs, member numbers), set at a time, on the client of the transaction recording them.
 */
@ApplicationScoped
public class FactRepository {
    private final Pool pool;

    public FactRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * {@code orderSource}: the channel of the order a refund applies to when not its own (MemberEvent.counted_order:
     * the order counted in place of one whose lines are all duplicates), else null; the purchase's order id is then
     * that order's. {@code publicationVersion}: the event's MemberEvent.publication_version, null when its publisher
     * gave none.
     */
    public record StoredPurchase(String source, String eventId, String memberId, Purchase purchase, LineDetail line,
            String orderSource, Long publicationVersion) {
        public StoredPurchase(String source, String eventId, String memberId, Purchase purchase, LineDetail line) {
            this(source, eventId, memberId, purchase, line, null, null);
        }

        public StoredPurchase(String source, String eventId, String memberId, Purchase purchase) {
            this(source, eventId, memberId, purchase, null, null, null);
        }
    }

    /** What an order line says besides its amount; any part may be null. */
    public record LineDetail(String sku, String category, Double quantity, Double discount) {
    }

    /**
     * A review, coupon issued or redeemed, or store visit of a member; {@code orderSource} and
     * {@code publicationVersion} as for {@link StoredPurchase}.
     */
    public record StoredActivity(String source, String eventId, String memberId, String kind, Instant occurredAt,
            String orderId, String storeId, Double amount, Integer rating, String text, String orderSource,
            Long publicationVersion) {
        /** An activity naming no order, or its own channel's. */
        public StoredActivity(String source, String eventId, String memberId, String kind, Instant occurredAt,
                String orderId, String storeId, Double amount, Integer rating, String text) {
            this(source, eventId, memberId, kind, occurredAt, orderId, storeId, amount, rating, text, null, null);
        }
    }

    /** An order line's key: what identifies it across merges and re-publications. */
    public record LineKey(String source, String eventId) {
    }

    /**
     * A fact stored once per (source, event id); published again by identity-service naming the order it applies to
     * (MemberEvent.counted_order: the order counted in place of its own once that order's lines were all flagged
     * duplicates, or its own again once a line of it counted), it moves to that order. A re-delivery without it (an
     * older publication) leaves it where it is, and so does a publication older (MemberEvent.publication_version) than
     * the one applied: consumed late from another member's partition after a merge or split. Without a version on
     * either side, the last consumed wins.
     */
    private static final String COUNTED_ORDER_MOVES = """
            ON CONFLICT (source, event_id) DO UPDATE SET order_source = EXCLUDED.order_source, order_id = EXCLUDED.order_id,
              publication_version = GREATEST(%1$s.publication_version, EXCLUDED.publication_version)
            WHERE EXCLUDED.order_source IS NOT NULL
              AND COALESCE(EXCLUDED.publication_version >= %1$s.publication_version, TRUE)
              AND ((%1$s.order_source, %1$s.order_id) IS DISTINCT FROM (EXCLUDED.order_source, EXCLUDED.order_id)
                OR EXCLUDED.publication_version > COALESCE(%1$s.publication_version, 0))""";

    /**
     * Order and refund lines, once per (source, event id), except lines already retracted. Like the other inserts of
     * arriving facts, on the client given: the transaction recording the batch
     * (IdentityChangeRepository.inRecordingTransaction).
     */
    public Uni<Void> insertPurchases(SqlClient client, List<StoredPurchase> purchases) {
        if (purchases.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> tuples = new ArrayList<>(purchases.size());
        for (StoredPurchase stored : purchases) {
            Purchase p = stored.purchase();
            LineDetail line = stored.line() == null ? new LineDetail(null, null, null, null) : stored.line();
            tuples.add(Tuple.from(Arrays.asList(stored.source(), stored.eventId(), stored.memberId(), p.orderId(),
                    p.refund() ? "refund" : "order", utc(p.occurredAt()), p.storeId(), p.amount(), line.sku(),
                    line.category(), line.quantity(), line.discount(), stored.orderSource(),
                    stored.publicationVersion())));
        }
        // a refund published again naming the order counted in place of its own moves to it (COUNTED_ORDER_MOVES)
        return client.preparedQuery("""
                INSERT INTO purchase_line (source, event_id, member_id, order_id, kind, occurred_at, store_id, amount,
                  sku, category, quantity, discount, order_source, publication_version)
                SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14
                WHERE NOT EXISTS (SELECT 1 FROM retracted_line WHERE source = $1 AND event_id = $2)
                """ + COUNTED_ORDER_MOVES.formatted("purchase_line"))
                .executeBatch(tuples).replaceWithVoid();
    }

    /**
     * Un-counts the lines identity-service re-published as another channel's report of the same order: remembers
     * their keys (so the first publication, should it be consumed again or only now, is not stored) and deletes the
     * stored ones, whoever holds them now. Answers the members who held them. In the recording transaction, after
     * its inserts: a line and its retraction in one batch end uncounted. Idempotent. (A line and its retraction
     * recorded by two batches at the very same moment see neither the other's uncommitted row: deleteRetractedAmong,
     * after the commit, settles that.)
     */
    public Uni<Set<String>> retractPurchases(SqlClient client, List<LineKey> keys) {
        if (keys.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        // In key order, as another batch retracting the same lines takes them: no lock cycle between the two.
        List<LineKey> sorted = keys.stream().distinct()
                .sorted(Comparator.comparing(LineKey::source).thenComparing(LineKey::eventId)).toList();
        return client.preparedQuery("""
                WITH remembered AS (
                  INSERT INTO retracted_line (source, event_id)
                  SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING)
                DELETE FROM purchase_line p USING unnest($1::text[], $2::text[]) AS k (source, event_id)
                WHERE p.source = k.source AND p.event_id = k.event_id
                RETURNING p.member_id""")
                .execute(keyArrays(sorted)).map(FactRepository::holders);
    }

    /**
     * Deletes the stored lines among the keys whose key is retracted, in a statement of its own after the recording
     * transaction committed; answers the members who held them. A line and its retraction recorded at the same moment
     * by two replicas (on different partitions after a merge re-keyed the line) each miss the other's uncommitted row;
     * whichever commits second sees the first's here, since both look again after their commit. Usually deletes
     * nothing: two index probes per key.
     */
    public Uni<Set<String>> deleteRetractedAmong(List<LineKey> keys) {
        if (keys.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return pool.preparedQuery("""
                DELETE FROM purchase_line p USING unnest($1::text[], $2::text[]) AS k (source, event_id)
                WHERE p.source = k.source AND p.event_id = k.event_id
                  AND EXISTS (SELECT 1 FROM retracted_line r WHERE r.source = k.source AND r.event_id = k.event_id)
                RETURNING p.member_id""")
                .execute(keyArrays(keys)).map(FactRepository::holders);
    }

    /** The keys as two parallel arrays, $1 sources and $2 event ids, for unnest. */
    private static Tuple keyArrays(List<LineKey> keys) {
        return Tuple.of(keys.stream().map(LineKey::source).toArray(String[]::new),
                keys.stream().map(LineKey::eventId).toArray(String[]::new));
    }

    /** The distinct members a DELETE ... RETURNING member_id answered. */
    private static Set<String> holders(Iterable<Row> rows) {
        Set<String> members = new LinkedHashSet<>();
        rows.forEach(row -> members.add(row.getString(0)));
        return members;
    }

    public Uni<Void> insertActivities(SqlClient client, List<StoredActivity> activities) {
        if (activities.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> tuples = new ArrayList<>(activities.size());
        for (StoredActivity a : activities) {
            tuples.add(Tuple.from(Arrays.asList(a.source(), a.eventId(), a.memberId(), a.kind(), utc(a.occurredAt()),
                    a.orderId(), a.storeId(), a.amount(), a.rating(), a.text(), a.orderSource(),
                    a.publicationVersion())));
        }
        return client.preparedQuery("""
                INSERT INTO member_activity (source, event_id, member_id, kind, occurred_at, order_id, store_id, amount,
                  rating, review_text, order_source, publication_version)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                """ + COUNTED_ORDER_MOVES.formatted("member_activity"))
                .executeBatch(tuples).replaceWithVoid();
    }

    /** Stock-outs of stores, once per (source, event id). */
    public Uni<Void> insertStockOuts(SqlClient client, List<StoredStockOut> stockOuts) {
        if (stockOuts.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> tuples = new ArrayList<>(stockOuts.size());
        for (StoredStockOut s : stockOuts) {
            StockOut o = s.stockOut();
            tuples.add(Tuple.from(Arrays.asList(s.source(), s.eventId(), o.storeId(), utc(o.at()), o.sku(), o.category())));
        }
        return client.preparedQuery("""
                INSERT INTO store_stockout (source, event_id, store_id, occurred_at, sku, category)
                VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING""").executeBatch(tuples).replaceWithVoid();
    }

    public record StoredStockOut(String source, String eventId, StockOut stockOut) {
    }

    /** member id -> member number, the latest wins. */
    public Uni<Void> upsertMemberNumbers(SqlClient client, Map<String, String> numbers) {
        if (numbers.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> tuples = new ArrayList<>();
        // In member order: two batches recorded at once lock the rows they share in the same order (no deadlock).
        new TreeMap<>(numbers).forEach((member, number) -> tuples.add(Tuple.of(member, number)));
        return client.preparedQuery("""
                INSERT INTO member_number (member_id, member_no) VALUES ($1, $2)
                ON CONFLICT (member_id) DO UPDATE SET member_no = EXCLUDED.member_no""")
                .executeBatch(tuples).replaceWithVoid();
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
