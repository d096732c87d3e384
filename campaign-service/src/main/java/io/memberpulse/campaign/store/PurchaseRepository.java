package io.memberpulse.campaign.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Members' purchase lines (member_purchase), stored once per (source, event_id). */
@ApplicationScoped
public class PurchaseRepository {
    /** The window of "home store": where the member bought most in the last 90 days. */
    static final Duration HOME_STORE_WINDOW = Duration.ofDays(90);

    private final Pool pool;

    public PurchaseRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * One line; store, sku, category and quantity are null when the channel did not report them.
     *
     * @param couponId   the coupon a redemption used (null for orders and refunds, or when the event names none)
     * @param marginRate the line's gross margin rate, 0..1 (null when the event carries none: the default rate applies)
     * @param orderSource the channel of the order a refund or redemption applies to when not its own
     *                    (MemberEvent.counted_order; {@code orderId} is then that order's id), else null
     * @param publicationVersion the event's MemberEvent.publication_version, null when its publisher gave none
     */
    public record Purchase(String source, String eventId, String memberId, String kind, String orderId,
            String campaignId, Instant occurredAt, double amount, String storeId, String sku, String category,
            Double quantity, String couponId, Double marginRate, String orderSource, Long publicationVersion) {
        public Purchase(String source, String eventId, String memberId, String kind, String orderId,
                String campaignId, Instant occurredAt, double amount, String storeId, String sku, String category,
                Double quantity, String couponId, Double marginRate) {
            this(source, eventId, memberId, kind, orderId, campaignId, occurredAt, amount, storeId, sku, category, quantity,
                    couponId, marginRate, null, null);
        }
    }

    /** A line's key: what identifies it across merges and re-publications. */
    public record LineKey(String source, String eventId) {
    }

    /**
     * In the client's transaction (rows in key order, as every batch inserts them: no lock cycle between two); a line
     * already retracted is not stored.
     */
    public Uni<Void> insert(SqlClient client, List<Purchase> purchases) {
        if (purchases.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> tuples = new ArrayList<>(purchases.size());
        for (Purchase p : purchases.stream()
                .sorted(Comparator.comparing(Purchase::source).thenComparing(Purchase::eventId)).toList()) {
            tuples.add(Tuple.from(Arrays.asList(p.source(), p.eventId(), p.memberId(), p.kind(), p.orderId(),
                    p.campaignId(), p.occurredAt().atOffset(ZoneOffset.UTC), p.amount(), p.storeId(), p.sku(),
                    p.category(), p.quantity(), p.couponId(), p.marginRate(), p.orderSource(), p.publicationVersion())));
        }
        // Published again naming the order it applies to (MemberEvent.counted_order: the order counted in place of its
        // own once that order's lines were all flagged duplicates, or its own again once a line of it counted), a
        // refund or redemption moves to it; a re-delivery without it (an older publication) leaves it where it is, and
        // so does a publication older (MemberEvent.publication_version) than the one applied, consumed late from
        // another member's partition after a merge or split. Without a version on either side, the last consumed wins.
        return client.preparedQuery("""
                INSERT INTO member_purchase (source, event_id, member_id, kind, order_id, campaign_id, occurred_at, amount,
                                             store_id, sku, category, quantity, coupon_id, margin_rate, order_source,
                                             publication_version)
                SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16
                WHERE NOT EXISTS (SELECT 1 FROM retracted_line WHERE source = $1 AND event_id = $2)
                ON CONFLICT (source, event_id) DO UPDATE SET order_source = EXCLUDED.order_source,
                  order_id = EXCLUDED.order_id,
                  publication_version = GREATEST(member_purchase.publication_version, EXCLUDED.publication_version)
                WHERE EXCLUDED.order_source IS NOT NULL
                  AND COALESCE(EXCLUDED.publication_version >= member_purchase.publication_version, TRUE)
                  AND ((member_purchase.order_source, member_purchase.order_id)
                      IS DISTINCT FROM (EXCLUDED.order_source, EXCLUDED.order_id)
                    OR EXCLUDED.publication_version > COALESCE(member_purchase.publication_version, 0))""")
                .executeBatch(tuples).replaceWithVoid();
    }

    /**
     * Un-counts the lines identity-service re-published as another channel's report of the same order, so campaign
     * results and revenue no longer count them: remembers their keys (the first publication, should it be consumed
     * again or only now, is not stored) and deletes the stored ones, whoever holds them now. In the client's
     * transaction, after its inserts: a line and its retraction in one batch end uncounted. Idempotent. (A line and
     * its retraction recorded by two batches at the very same moment see neither the other's uncommitted row:
     * deleteRetractedAmong, after the commit, settles that.)
     */
    public Uni<Void> retract(SqlClient client, List<LineKey> keys) {
        if (keys.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        // In key order, as inserts and other retractions take them: no lock cycle between two batches.
        List<LineKey> sorted = keys.stream().distinct()
                .sorted(Comparator.comparing(LineKey::source).thenComparing(LineKey::eventId)).toList();
        return client.preparedQuery("""
                WITH remembered AS (
                  INSERT INTO retracted_line (source, event_id)
                  SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING)
                DELETE FROM member_purchase p USING unnest($1::text[], $2::text[]) AS k (source, event_id)
                WHERE p.source = k.source AND p.event_id = k.event_id""")
                .execute(keyArrays(sorted))
                .replaceWithVoid();
    }

    /**
     * Deletes the stored lines among the keys whose key is retracted, in a statement of its own after the recording
     * transaction committed. A line and its retraction recorded at the same moment by two replicas (on different
     * partitions after a merge re-keyed the line) each miss the other's uncommitted row; whichever commits second
     * sees the first's here, since both look again after their commit. Usually deletes nothing: two index probes per
     * key.
     */
    public Uni<Void> deleteRetractedAmong(List<LineKey> keys) {
        if (keys.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return pool.preparedQuery("""
                DELETE FROM member_purchase p USING unnest($1::text[], $2::text[]) AS k (source, event_id)
                WHERE p.source = k.source AND p.event_id = k.event_id
                  AND EXISTS (SELECT 1 FROM retracted_line r WHERE r.source = k.source AND r.event_id = k.event_id)""")
                .execute(keyArrays(keys))
                .replaceWithVoid();
    }

    /** The keys as two parallel arrays, $1 sources and $2 event ids, for unnest. */
    private static Tuple keyArrays(List<LineKey> keys) {
        return Tuple.of(keys.stream().map(LineKey::source).toArray(String[]::new),
                keys.stream().map(LineKey::eventId).toArray(String[]::new));
    }

    /**
     * Each member's home store as of the instant: the store of most orders that stand (StandingOrders: one refunded
     * in full by then is none) placed in the 90 days before it (ties: the latest order's store). Members without
     * such orders there are absent.
     */
    public Uni<Map<String, String>> homeStores(Collection<String> memberIds, Instant asOf) {
        if (memberIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return pool.preparedQuery("""
                SELECT DISTINCT ON (member_id) member_id, store_id FROM (
                  SELECT o.member_id, s.store_id, count(*) AS orders, max(o.bought_at) AS latest
                  FROM (""" + StandingOrders.among("""
                , max(mp.occurred_at) FILTER (WHERE mp.kind = 'order') AS bought_at,
                  array_agg(DISTINCT mp.store_id) FILTER (WHERE mp.kind = 'order' AND mp.store_id IS NOT NULL) AS store_ids""",
                "member_purchase mp", "mp.member_id = ANY($1) AND mp.occurred_at > $2 AND mp.occurred_at <= $3") + """
                  ) o CROSS JOIN LATERAL unnest(o.store_ids) AS s (store_id)
                  GROUP BY o.member_id, s.store_id) per_store
                ORDER BY member_id, orders DESC, latest DESC""")
                .execute(Tuple.of(memberIds.toArray(String[]::new), asOf.minus(HOME_STORE_WINDOW).atOffset(ZoneOffset.UTC),
                        asOf.atOffset(ZoneOffset.UTC)))
                .map(rows -> {
                    Map<String, String> stores = new HashMap<>();
                    for (Row row : rows) {
                        stores.put(row.getString(0), row.getString(1));
                    }
                    return stores;
                });
    }
}
