package io.memberpulse.churn.store;

import io.memberpulse.churn.domain.Purchase;
import io.memberpulse.churn.domain.features.Activity;
import io.memberpulse.churn.domain.features.FeatureExtractor;
import io.memberpulse.churn.domain.features.StockOut;
import io.memberpulse.churn.domain.features.StockOuts;
import io.memberpulse.churn.domain.model.TrainingMemory;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the recorded facts back as scoring, explaining a score, training and batch scoring take them: purchases,
 * activities, stock-outs and member numbers.
 */
@ApplicationScoped
public class ModelInputRepository {
    private final Pool pool;

    public ModelInputRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * The stock-outs a feature vector as of {@code asOf} can see: the feature's window up to and including
     * {@code asOf}. Scoring and explaining a score both read them here so that their windows cannot drift apart.
     */
    public Uni<StockOuts> stockOutsSeenAt(Instant asOf) {
        return stockOuts(asOf.minus(Duration.ofDays(FeatureExtractor.STOCKOUT_WINDOW_DAYS)), asOf.plusNanos(1))
                .map(StockOuts::new);
    }

    /** Stock-outs at or after {@code from} and strictly before {@code before}; null = unbounded. */
    public Uni<List<StockOut>> stockOuts(Instant from, Instant before) {
        return pool.preparedQuery("""
                SELECT occurred_at, store_id, sku, category FROM store_stockout
                WHERE ($1::timestamptz IS NULL OR occurred_at >= $1) AND ($2::timestamptz IS NULL OR occurred_at < $2)""")
                .execute(Tuple.of(from == null ? null : utc(from), before == null ? null : utc(before))).map(rows -> {
                    List<StockOut> result = new ArrayList<>();
                    for (Row row : rows) {
                        result.add(new StockOut(row.getOffsetDateTime(0).toInstant(), row.getString(1),
                                row.getString(2), row.getString(3)));
                    }
                    return result;
                });
    }

    public Uni<Map<String, String>> memberNumbers() {
        return pool.query("SELECT member_id, member_no FROM member_number").execute().map(rows -> {
            Map<String, String> numbers = new HashMap<>();
            rows.forEach(row -> numbers.put(row.getString(0), row.getString(1)));
            return numbers;
        });
    }

    /** Every fact the models read, per member: all members when memberIds is null. */
    public Uni<Map<String, List<Activity>>> activitiesOf(Collection<String> memberIds) {
        return activities(memberIds == null ? null : memberIds.toArray(String[]::new), null);
    }

    /** Every fact the models read that occurred strictly before {@code before}, per member, all members. */
    public Uni<Map<String, List<Activity>>> activitiesBefore(Instant before) {
        return activities(null, utc(before));
    }

    /**
     * How many members and facts activitiesBefore(before) reads (null: activitiesOf(null), every one), counted in the
     * database without reading them: what a training run checks its heap against before it loads them.
     */
    public Uni<TrainingMemory.Facts> countFactsBefore(Instant before) {
        return pool.preparedQuery("""
                SELECT count(DISTINCT member_id), count(*) FROM (
                  SELECT member_id FROM purchase_line WHERE ($1::timestamptz IS NULL OR occurred_at < $1)
                  UNION ALL
                  SELECT member_id FROM member_activity WHERE ($1::timestamptz IS NULL OR occurred_at < $1)) facts""")
                .execute(Tuple.of(before == null ? null : utc(before)))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new TrainingMemory.Facts(row.getLong(0).intValue(), row.getLong(1));
                });
    }

    private Uni<Map<String, List<Activity>>> activities(String[] ids, OffsetDateTime before) {
        return pool.preparedQuery("""
                SELECT member_id, kind, occurred_at, order_id, coalesce(order_source, source), store_id, sku, category,
                  quantity, amount, discount, NULL::int AS rating, NULL AS review_text
                FROM purchase_line WHERE ($1::text[] IS NULL OR member_id = ANY($1))
                  AND ($2::timestamptz IS NULL OR occurred_at < $2)
                UNION ALL
                SELECT member_id, kind, occurred_at, order_id, coalesce(order_source, source), store_id, NULL, NULL, NULL,
                  amount, NULL, rating, review_text
                FROM member_activity WHERE ($1::text[] IS NULL OR member_id = ANY($1))
                  AND ($2::timestamptz IS NULL OR occurred_at < $2)""")
                .execute(Tuple.of(ids, before))
                .map(rows -> {
                    Map<String, List<Activity>> activities = new HashMap<>();
                    for (Row row : rows) {
                        activities.computeIfAbsent(row.getString(0), id -> new ArrayList<>()).add(toActivity(row));
                    }
                    return activities;
                });
    }

    private static Activity toActivity(Row row) {
        Instant at = row.getOffsetDateTime(2).toInstant();
        String orderId = row.getString(3);
        String channel = row.getString(4);
        String store = row.getString(5);
        double amount = orZero(row.getDouble(9));
        return switch (row.getString(1)) {
            case "order" -> Activity.orderLine(at, orderId, channel, store, row.getString(6), row.getString(7),
                    row.getDouble(8) == null ? 1 : row.getDouble(8), amount, orZero(row.getDouble(10)));
            case "refund" -> Activity.refund(at, orderId, channel, store, Math.abs(amount));
            case "review" -> Activity.review(at, orderId, channel, row.getInteger(11) == null ? 0 : row.getInteger(11),
                    row.getString(12));
            case "coupon_issued" -> Activity.coupon(Activity.Kind.COUPON_ISSUED, at, orderId, channel, store, amount);
            case "coupon_redeemed" -> Activity.coupon(Activity.Kind.COUPON_REDEEMED, at, orderId, channel, store, amount);
            case "intervention" -> Activity.intervention(at, store, amount > 0, row.getString(12));
            default -> new Activity(Activity.Kind.VISIT, at, null, channel, store, null, null, 0, 0, 0, 0, null);
        };
    }

    private static double orZero(Double value) {
        return value == null ? 0 : value;
    }

    public Uni<Map<String, List<Purchase>>> purchasesOf(Collection<String> memberIds) {
        return pool.preparedQuery("""
                SELECT member_id, coalesce(order_source, source) || ':' || order_id, kind, occurred_at, store_id, amount
                FROM purchase_line
                WHERE member_id = ANY($1)""")
                .execute(Tuple.of(memberIds.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, List<Purchase>> purchases = new HashMap<>();
                    for (Row row : rows) {
                        purchases.computeIfAbsent(row.getString(0), id -> new ArrayList<>()).add(new Purchase(
                                row.getString(1), "refund".equals(row.getString(2)), row.getOffsetDateTime(3).toInstant(),
                                row.getString(4), row.getDouble(5)));
                    }
                    return purchases;
                });
    }

    /** Members with purchases, after a member id, in member id order: a page of a full re-scoring. */
    public Uni<List<String>> memberIdsAfter(String after, int limit) {
        return pool.preparedQuery("SELECT DISTINCT member_id FROM purchase_line WHERE member_id > $1 ORDER BY member_id LIMIT $2")
                .execute(Tuple.of(after, limit))
                .map(rows -> {
                    List<String> ids = new ArrayList<>();
                    rows.forEach(row -> ids.add(row.getString(0)));
                    return ids;
                });
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
