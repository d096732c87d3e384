package io.memberpulse.churn.store;

import io.memberpulse.churn.domain.ChurnScore;
import io.memberpulse.churn.domain.Purchase;
import io.memberpulse.churn.domain.features.Activity;
import io.memberpulse.churn.domain.features.FeatureExtractor;
import io.memberpulse.churn.domain.features.StockOut;
import io.memberpulse.churn.domain.features.StockOuts;
import io.memberpulse.churn.domain.model.TrainingMemory;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** Set-at-a-time SQL for purchase facts, scores and the event-time clock. */
@ApplicationScoped
public class ChurnRepository {
    private final Pool pool;

    public ChurnRepository(Pool pool) {
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
     * Order and refund lines, once per (source, event id), except lines already retracted. Like the other inserts of
     * arriving facts, on the client given: the transaction recording the batch
     * (IdentityChangeRepository.inRecordingTransaction).
     */
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
                .execute(keyArrays(sorted)).map(ChurnRepository::holders);
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
                .execute(keyArrays(keys)).map(ChurnRepository::holders);
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

    public Uni<Map<String, ChurnScore>> scoresOf(Collection<String> memberIds) {
        return storedScoresOf(memberIds).map(StoredScores::scores);
    }

    /**
     * The stored scores of these members, with each one's version (when it was stored) and which of them
     * churn.scores has not acknowledged (see markPublished): one read, since scoring needs all three for every page.
     */
    public Uni<StoredScores> storedScoresOf(Collection<String> memberIds) {
        return pool.preparedQuery("SELECT * FROM churn_score WHERE member_id = ANY($1)")
                .execute(Tuple.of(memberIds.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, ChurnScore> scores = new HashMap<>();
                    Map<String, Instant> versions = new HashMap<>();
                    Set<String> unpublished = new HashSet<>();
                    for (Row row : rows) {
                        String memberId = row.getString("member_id");
                        scores.put(memberId, toScore(row));
                        versions.put(memberId, row.getOffsetDateTime("scored_at").toInstant());
                        if (row.getValue("published_at") == null) {
                            unpublished.add(memberId);
                        }
                    }
                    return new StoredScores(scores, versions, unpublished);
                });
    }

    /**
     * Stored scores by member; their versions (scored_at), on which a write over them is conditional; and the
     * members whose score the broker never acknowledged.
     */
    public record StoredScores(Map<String, ChurnScore> scores, Map<String, Instant> versions, Set<String> unpublished) {
    }

    public Uni<Optional<ChurnScore>> score(String memberId) {
        return scoresOf(List.of(memberId)).map(scores -> Optional.ofNullable(scores.get(memberId)));
    }

    /**
     * The riskiest members of a store (all stores when null), riskiest first; ties by member id descending, as
     * Redis's reversed rankings order them, so the answer does not depend on which of the two gave it.
     */
    public Uni<List<ChurnScore>> top(String storeId, int k) {
        return pool.preparedQuery("""
                SELECT * FROM churn_score WHERE ($1::text IS NULL OR home_store_id = $1)
                ORDER BY probability DESC, member_id DESC LIMIT $2""")
                .execute(Tuple.of(storeId, k))
                .map(ChurnRepository::toScores);
    }

    /**
     * Stores the scores as not yet published (markPublished records the broker's ack), each only over the version it
     * was computed against (none: only if there is still no score): another replica that stored a score since read
     * facts this one may not have. Answers the members written; the others are to be scored again.
     */
    public Uni<Set<String>> upsertScores(List<ChurnScore> scores, Map<String, Instant> readVersions, Instant scoredAt) {
        if (scores.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        List<Tuple> tuples = new ArrayList<>(scores.size());
        for (ChurnScore s : scores) {
            Instant read = readVersions.get(s.memberId());
            tuples.add(Tuple.from(Arrays.asList(s.memberId(), s.probability(), s.modelVersion(), utc(s.asOf()),
                    s.horizonDays(), s.homeStoreId(), s.memberValue(), s.recencyDays(), s.expectedGapDays(), utc(scoredAt),
                    read == null ? null : utc(read))));
        }
        return pool.preparedQuery("""
                INSERT INTO churn_score (member_id, probability, model_version, as_of, horizon_days, home_store_id,
                  member_value, recency_days, expected_gap_days, scored_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                ON CONFLICT (member_id) DO UPDATE SET probability = EXCLUDED.probability,
                  model_version = EXCLUDED.model_version, as_of = EXCLUDED.as_of, horizon_days = EXCLUDED.horizon_days,
                  home_store_id = EXCLUDED.home_store_id, member_value = EXCLUDED.member_value,
                  recency_days = EXCLUDED.recency_days, expected_gap_days = EXCLUDED.expected_gap_days,
                  scored_at = EXCLUDED.scored_at, published_at = NULL
                WHERE churn_score.scored_at IS NOT DISTINCT FROM $11::timestamptz
                RETURNING member_id""")
                .executeBatch(tuples)
                .map(ChurnRepository::memberIdsOf);
    }

    /** The member ids a batch's RETURNING gave, over every statement of the batch. */
    private static Set<String> memberIdsOf(RowSet<Row> batch) {
        Set<String> memberIds = new HashSet<>();
        for (RowSet<Row> rows = batch; rows != null; rows = rows.next()) {
            rows.forEach(row -> memberIds.add(row.getString(0)));
        }
        return memberIds;
    }

    /** Deletes the members' scores still at the versions read (see upsertScores); answers those deleted. */
    public Uni<List<ChurnScore>> deleteScoresIfUnchanged(Map<String, Instant> readVersions) {
        if (readVersions.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        List<String> memberIds = new ArrayList<>(readVersions.keySet());
        return pool.preparedQuery("""
                DELETE FROM churn_score c USING unnest($1::text[], $2::timestamptz[]) AS r(member_id, scored_at)
                WHERE c.member_id = r.member_id AND c.scored_at = r.scored_at RETURNING c.*""")
                .execute(Tuple.of(memberIds.toArray(String[]::new),
                        memberIds.stream().map(id -> utc(readVersions.get(id))).toArray(OffsetDateTime[]::new)))
                .map(ChurnRepository::toScores);
    }

    /** The last full re-scoring a replica finished, if any. */
    public Uni<Optional<ScoreRefresh>> lastRefresh() {
        return pool.query("SELECT clock, model_version FROM score_refresh WHERE id = 1").execute()
                .map(rows -> {
                    var it = rows.iterator();
                    if (!it.hasNext()) {
                        return Optional.empty();
                    }
                    Row row = it.next();
                    return Optional.of(new ScoreRefresh(row.getOffsetDateTime(0).toInstant(), row.getString(1)));
                });
    }

    public Uni<Void> recordRefresh(ScoreRefresh refresh) {
        return pool.preparedQuery("""
                INSERT INTO score_refresh (id, clock, model_version) VALUES (1, $1, $2)
                ON CONFLICT (id) DO UPDATE SET clock = EXCLUDED.clock, model_version = EXCLUDED.model_version""")
                .execute(Tuple.of(utc(refresh.clock()), refresh.modelVersion())).replaceWithVoid();
    }

    /** Everyone re-scored as of the clock with that model (null: the rhythm model, none trained or promoted). */
    public record ScoreRefresh(Instant clock, String modelVersion) {
    }

    /** Members whose stored score churn.scores has not acknowledged, after a member id, in member id order. */
    public Uni<List<String>> unpublishedMemberIdsAfter(String after, int limit) {
        return pool.preparedQuery("""
                SELECT member_id FROM churn_score WHERE published_at IS NULL AND member_id > $1
                ORDER BY member_id LIMIT $2""")
                .execute(Tuple.of(after, limit))
                .map(rows -> {
                    List<String> memberIds = new ArrayList<>();
                    rows.forEach(row -> memberIds.add(row.getString(0)));
                    return memberIds;
                });
    }

    /** Marks the members' stored scores as not acknowledged: a withdrawal of theirs failed, to be sent again. */
    public Uni<Void> markUnpublished(Collection<String> memberIds) {
        if (memberIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return pool.preparedQuery("UPDATE churn_score SET published_at = NULL WHERE member_id = ANY($1)")
                .execute(Tuple.of(memberIds.toArray(String[]::new))).replaceWithVoid();
    }

    /**
     * Records that churn.scores acknowledged the scores upserted at scoredAt; a member's score stored since (by another
     * replica's scoring) stays unpublished.
     */
    public Uni<Void> markPublished(List<ChurnScore> scores, Instant scoredAt) {
        if (scores.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return pool.preparedQuery("""
                UPDATE churn_score SET published_at = now() WHERE member_id = ANY($1) AND scored_at = $2""")
                .execute(Tuple.of(scores.stream().map(ChurnScore::memberId).toArray(String[]::new), utc(scoredAt)))
                .replaceWithVoid();
    }

    public Uni<Optional<Instant>> watermark() {
        return pool.query("SELECT watermark FROM stream_clock WHERE id = 1").execute()
                .map(rows -> {
                    var it = rows.iterator();
                    return it.hasNext() ? Optional.of(it.next().getOffsetDateTime(0).toInstant()) : Optional.empty();
                });
    }

    public Uni<Instant> advanceWatermark(Instant seen) {
        return pool.preparedQuery("""
                INSERT INTO stream_clock (id, watermark) VALUES (1, $1)
                ON CONFLICT (id) DO UPDATE SET watermark = GREATEST(stream_clock.watermark, EXCLUDED.watermark)
                RETURNING watermark""")
                .execute(Tuple.of(utc(seen)))
                .map(rows -> rows.iterator().next().getOffsetDateTime(0).toInstant());
    }

    /** Stored scores in member order, a page after {@code after}. */
    public Uni<List<ChurnScore>> scoresAfter(String after, int limit) {
        return pool.preparedQuery("SELECT * FROM churn_score WHERE member_id > $1 ORDER BY member_id LIMIT $2")
                .execute(Tuple.of(after, limit))
                .map(ChurnRepository::toScores);
    }

    public Uni<List<String>> memberIdsAfter(String after, int limit) {
        return pool.preparedQuery("SELECT DISTINCT member_id FROM purchase_line WHERE member_id > $1 ORDER BY member_id LIMIT $2")
                .execute(Tuple.of(after, limit))
                .map(rows -> {
                    List<String> ids = new ArrayList<>();
                    rows.forEach(row -> ids.add(row.getString(0)));
                    return ids;
                });
    }

    /** Members with purchases, scores, and scores made by modelVersion (null: none counted). */
    public Uni<long[]> totals(String modelVersion) {
        return pool.preparedQuery("SELECT (SELECT count(DISTINCT member_id) FROM purchase_line), (SELECT count(*) FROM churn_score),"
                + " (SELECT count(*) FROM churn_score WHERE model_version = $1)")
                .execute(Tuple.of(modelVersion))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new long[] {row.getLong(0), row.getLong(1), row.getLong(2)};
                });
    }

    private static List<ChurnScore> toScores(RowSet<Row> rows) {
        List<ChurnScore> scores = new ArrayList<>(rows.size());
        rows.forEach(row -> scores.add(toScore(row)));
        return scores;
    }

    private static ChurnScore toScore(Row row) {
        return new ChurnScore(row.getString("member_id"), row.getDouble("probability"), row.getString("model_version"),
                row.getOffsetDateTime("as_of").toInstant(), row.getInteger("horizon_days"), row.getString("home_store_id"),
                row.getDouble("member_value"), row.getDouble("recency_days"), row.getDouble("expected_gap_days"));
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
