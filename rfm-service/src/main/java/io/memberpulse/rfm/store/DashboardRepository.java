package io.memberpulse.rfm.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import io.memberpulse.rfm.domain.Dashboard;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The dashboard views operators ask for (DOMAIN.md §2), each one SQL aggregate over the net orders
 * (orders are grouped lines, an order being a channel's order id; an order refunded in full is no purchase).
 * Revenue is net of refunds as M is (RfmCalculator): a refund of an order that is known comes off that order, in the
 * period the order was placed in; a refund of an order that is not known (Online Retail gives every cancellation an
 * invoice of its own) is negative revenue at its own time and store. Such a refund is no order: it counts in no order
 * count, order value or buyer.
 */
@ApplicationScoped
public class DashboardRepository {
    /**
     * Every order (a channel's order id) with its member, store, time and net amount: one row per order, those
     * refunded in full and refunds of orders not known included; the views filter them.
     */
    private static final String NET_ORDERS = """
            SELECT member_id, order_id, min(occurred_at) FILTER (WHERE kind = 'order') AS placed_at,
                   min(store_id) FILTER (WHERE kind = 'order') AS store_id, sum(paid_amount) - sum(refund_amount) AS net
            FROM purchase_line GROUP BY member_id, coalesce(order_source, source), order_id""";
    /** Net orders placed in the window $1..$2: one row per order with its member, store, time and net amount. */
    private static final String ORDERS = "WITH lines AS (" + NET_ORDERS + "),\n" + """
            orders AS (SELECT * FROM lines WHERE placed_at IS NOT NULL AND net > 0 AND placed_at >= $1 AND placed_at < $2)
            """;
    /**
     * ORDERS and the refund lines placed in the window $1..$2 whose order is not known (no order line under their
     * channel and order id), each with its member, store, time and net (minus what was refunded).
     */
    private static final String ORDERS_AND_UNMATCHED_REFUNDS = ORDERS + """
            , unmatched_refunds AS (
              SELECT r.member_id, r.store_id, r.occurred_at, -r.refund_amount AS net FROM purchase_line r
              WHERE r.kind = 'refund' AND r.occurred_at >= $1 AND r.occurred_at < $2 AND NOT EXISTS (
                SELECT 1 FROM purchase_line o
                WHERE o.kind = 'order' AND o.member_id = r.member_id AND o.order_id = r.order_id
                  AND o.source = coalesce(r.order_source, r.source)))
            """;

    private final Pool pool;

    public DashboardRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * Members whose first order falls in the period, per store, and how many bought again within 7 days. The rate
     * counts only those whose 7 days were over by the event-time clock: the others have not had their chance yet.
     */
    public Uni<List<Dashboard.FunnelRow>> funnel(Instant from, Instant to, Instant clock) {
        return pool.preparedQuery("""
                WITH net AS (""" + NET_ORDERS + """
                ),
                ranked AS (
                  SELECT *, row_number() OVER (PARTITION BY member_id ORDER BY placed_at) AS n
                  FROM net WHERE placed_at IS NOT NULL AND net > 0),
                firsts AS (SELECT member_id, store_id, placed_at FROM ranked WHERE n = 1 AND placed_at >= $1 AND placed_at < $2),
                seconds AS (SELECT member_id, placed_at FROM ranked WHERE n = 2)
                SELECT f.store_id, count(*),
                       count(s.member_id) FILTER (WHERE s.placed_at <= f.placed_at + interval '7 days'
                                                  AND f.placed_at + interval '7 days' <= $3),
                       count(*) FILTER (WHERE f.placed_at + interval '7 days' > $3)
                FROM firsts f LEFT JOIN seconds s ON s.member_id = f.member_id
                GROUP BY f.store_id ORDER BY count(*) DESC""")
                .execute(window(from, to).addOffsetDateTime(utc(clock))).map(rows -> {
                    List<Dashboard.FunnelRow> result = new ArrayList<>();
                    for (Row row : rows) {
                        result.add(Dashboard.FunnelRow.of(row.getString(0), row.getLong(1), row.getLong(2), row.getLong(3)));
                    }
                    return result;
                });
    }

    /**
     * The zone as PostgreSQL's AT TIME ZONE reads it. A region (Asia/Shanghai) is the same there; a bare offset is not:
     * PostgreSQL reads '+08:00' the POSIX way, eight hours west of Greenwich, so it is given as the tz database's
     * Etc/GMT-8, whose sign is reversed for the same reason. An offset of part hours has no such name: a region then.
     */
    static String postgresZone(ZoneId zone) {
        if (!(zone.normalized() instanceof ZoneOffset offset)) {
            return zone.getId();
        }
        int seconds = offset.getTotalSeconds();
        if (seconds % 3600 != 0) {
            throw new IllegalArgumentException("memberpulse.rfm.day-zone " + zone
                    + " is an offset of part hours: give the region instead (Asia/Kolkata for +05:30)");
        }
        int hours = seconds / 3600;
        return hours == 0 ? "UTC" : "Etc/GMT" + (hours > 0 ? "-" : "+") + Math.abs(hours);
    }

    /**
     * Per calendar week (Monday first) of {@code dayZone}: buyers, orders and net spend, refunds of unknown orders in the
     * week they were made.
     */
    public Uni<List<Dashboard.TrendRow>> activity(Instant from, Instant to, ZoneId dayZone) {
        return pool.preparedQuery(ORDERS_AND_UNMATCHED_REFUNDS + """
                , weekly AS (
                  SELECT date_trunc('week', placed_at AT TIME ZONE $3)::date AS week, count(DISTINCT member_id) AS buyers,
                         count(*) AS orders, sum(net) AS net FROM orders GROUP BY 1
                  UNION ALL
                  SELECT date_trunc('week', occurred_at AT TIME ZONE $3)::date, 0, 0, sum(net) FROM unmatched_refunds GROUP BY 1)
                SELECT week, sum(buyers)::int8, sum(orders)::int8, sum(net) FROM weekly GROUP BY 1 ORDER BY 1""")
                .execute(window(from, to).addString(postgresZone(dayZone))).map(rows -> {
                    List<Dashboard.TrendRow> result = new ArrayList<>();
                    rows.forEach(row -> result.add(new Dashboard.TrendRow(row.getLocalDate(0), row.getLong(1), row.getLong(2),
                            row.getDouble(3))));
                    return result;
                });
    }

    /** Share of buyers in the period with two orders or more, and the median days between consecutive orders. */
    public Uni<Dashboard.RepurchaseRow> repurchase(Instant from, Instant to) {
        return pool.preparedQuery(ORDERS + """
                , gaps AS (
                  SELECT extract(epoch FROM placed_at - lag(placed_at) OVER (PARTITION BY member_id ORDER BY placed_at)) / 86400 AS gap
                  FROM orders),
                per_member AS (SELECT member_id, count(*) AS n FROM orders GROUP BY member_id)
                SELECT (SELECT count(*) FROM per_member), (SELECT count(*) FROM per_member WHERE n >= 2),
                       (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY gap) FROM gaps WHERE gap IS NOT NULL)""")
                .execute(window(from, to)).map(rows -> {
                    Row row = rows.iterator().next();
                    long buyers = row.getLong(0);
                    long repeat = row.getLong(1);
                    return new Dashboard.RepurchaseRow(buyers, repeat, buyers == 0 ? 0 : (double) repeat / buyers, row.getDouble(2));
                });
    }

    /** Orders by net value, in buckets of the given width. */
    public Uni<List<Dashboard.BucketRow>> orderValues(Instant from, Instant to, double width) {
        return pool.preparedQuery(ORDERS + """
                SELECT floor(net / $3) * $3 AS bucket, count(*) FROM orders GROUP BY 1 ORDER BY 1""")
                .execute(Tuple.of(utc(from), utc(to), width)).map(rows -> {
                    List<Dashboard.BucketRow> result = new ArrayList<>();
                    rows.forEach(row -> result.add(new Dashboard.BucketRow(row.getDouble(0), row.getDouble(0) + width, row.getLong(1))));
                    return result;
                });
    }

    /**
     * Per store: buyers, orders, net revenue (refunds of unknown orders made at the store included), the orders' average
     * net value and the share of buyers with two orders or more. A store with only such refunds has a row of its own.
     */
    public Uni<List<Dashboard.StoreRow>> stores(Instant from, Instant to) {
        return pool.preparedQuery(ORDERS_AND_UNMATCHED_REFUNDS + """
                , per_member AS (SELECT store_id, member_id, count(*) AS n, sum(net) AS revenue FROM orders GROUP BY 1, 2),
                per_store AS (
                  SELECT store_id, count(*) AS members, sum(n) AS orders, sum(revenue) AS order_revenue,
                         avg(CASE WHEN n >= 2 THEN 1.0 ELSE 0.0 END) AS repurchase, 0 AS refunds
                  FROM per_member GROUP BY 1
                  UNION ALL
                  SELECT store_id, 0, 0, 0, 0, sum(net) FROM unmatched_refunds GROUP BY 1)
                SELECT store_id, sum(members)::int8, sum(orders)::int8, sum(order_revenue) + sum(refunds),
                       coalesce(sum(order_revenue) / nullif(sum(orders), 0), 0), sum(repurchase)
                FROM per_store GROUP BY store_id ORDER BY 4 DESC""")
                .execute(window(from, to)).map(rows -> {
                    List<Dashboard.StoreRow> result = new ArrayList<>();
                    rows.forEach(row -> result.add(new Dashboard.StoreRow(row.getString(0), row.getLong(1), row.getLong(2),
                            row.getDouble(3), row.getDouble(4), row.getDouble(5))));
                    return result;
                });
    }

    /**
     * The store comparison over regions: each order in the region of its store (the store directory's), stores without
     * one (and orders without a store) in {@code unassigned}. As per store, a member is counted once per row: members
     * are the distinct buyers of the region, and the repurchase rate the share of them with two orders or more at
     * any of its stores. Orders and revenue are the sums of the region's stores (refunds of unknown orders included,
     * as per store).
     */
    public Uni<List<Dashboard.RegionRow>> regions(Instant from, Instant to, String unassigned) {
        return pool.preparedQuery(ORDERS_AND_UNMATCHED_REFUNDS + """
                , regional AS (SELECT coalesce(r.region, $3) AS region, o.store_id, o.member_id, o.net
                               FROM orders o LEFT JOIN store_region r ON r.store_id = o.store_id),
                regional_refunds AS (SELECT coalesce(r.region, $3) AS region, u.store_id, u.net
                                     FROM unmatched_refunds u LEFT JOIN store_region r ON r.store_id = u.store_id),
                per_member AS (SELECT region, member_id, count(*) AS n, sum(net) AS revenue FROM regional GROUP BY 1, 2),
                per_region AS (
                  SELECT region, count(*) AS members, sum(n) AS orders, sum(revenue) AS order_revenue,
                         avg(CASE WHEN n >= 2 THEN 1.0 ELSE 0.0 END) AS repurchase, 0 AS refunds
                  FROM per_member GROUP BY 1
                  UNION ALL
                  SELECT region, 0, 0, 0, 0, sum(net) FROM regional_refunds GROUP BY 1),
                stores AS (SELECT region, array_agg(DISTINCT store_id ORDER BY store_id) FILTER (WHERE store_id IS NOT NULL) AS ids
                           FROM (SELECT region, store_id FROM regional UNION ALL SELECT region, store_id FROM regional_refunds) s
                           GROUP BY 1)
                SELECT p.region, s.ids, sum(members)::int8, sum(orders)::int8, sum(order_revenue) + sum(refunds),
                       coalesce(sum(order_revenue) / nullif(sum(orders), 0), 0), sum(repurchase)
                FROM per_region p JOIN stores s ON s.region = p.region
                GROUP BY p.region, s.ids ORDER BY 5 DESC, p.region""")
                .execute(window(from, to).addString(unassigned)).map(rows -> {
                    List<Dashboard.RegionRow> result = new ArrayList<>();
                    rows.forEach(row -> {
                        String[] stores = row.getArrayOfStrings(1);
                        result.add(new Dashboard.RegionRow(row.getString(0), stores == null ? List.of() : List.of(stores),
                                row.getLong(2), row.getLong(3), row.getDouble(4), row.getDouble(5), row.getDouble(6)));
                    });
                    return result;
                });
    }

    /** Records the day's sizes (event-time day); a day recorded again keeps its latest sizes. */
    public Uni<Void> recordSegmentSizes(LocalDate day, java.util.Map<String, Long> sizes) {
        if (sizes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return pool.preparedQuery("""
                INSERT INTO segment_size_history (day, segment_id, size)
                SELECT $1, s, n FROM unnest($2::text[], $3::int8[]) AS u(s, n)
                ON CONFLICT (day, segment_id) DO UPDATE SET size = EXCLUDED.size""")
                .execute(Tuple.of(day, sizes.keySet().toArray(String[]::new), sizes.values().toArray(Long[]::new)))
                .replaceWithVoid();
    }

    public Uni<List<Dashboard.SegmentSizeRow>> segmentHistory(LocalDate from, LocalDate to) {
        return pool.preparedQuery("""
                SELECT day, segment_id, size FROM segment_size_history WHERE day >= $1 AND day <= $2 ORDER BY day, segment_id""")
                .execute(Tuple.of(from, to)).map(rows -> {
                    List<Dashboard.SegmentSizeRow> result = new ArrayList<>();
                    rows.forEach(row -> result.add(new Dashboard.SegmentSizeRow(row.getLocalDate(0), row.getString(1), row.getLong(2))));
                    return result;
                });
    }

    private static Tuple window(Instant from, Instant to) {
        return Tuple.of(utc(from), utc(to));
    }

    private static java.time.OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
