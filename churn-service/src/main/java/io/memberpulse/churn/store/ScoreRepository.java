package io.memberpulse.churn.store;

import io.memberpulse.churn.domain.ChurnScore;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The stored churn scores (churn_score): read, written over the version read, marked published when churn.scores
 * acknowledged them; and the last full re-scoring (score_refresh).
 */
@ApplicationScoped
public class ScoreRepository {
    private final Pool pool;

    public ScoreRepository(Pool pool) {
        this.pool = pool;
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
                .map(ScoreRepository::toScores);
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
                .map(ScoreRepository::memberIdsOf);
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
                .map(ScoreRepository::toScores);
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

    /** Stored scores in member order, a page after {@code after}. */
    public Uni<List<ChurnScore>> scoresAfter(String after, int limit) {
        return pool.preparedQuery("SELECT * FROM churn_score WHERE member_id > $1 ORDER BY member_id LIMIT $2")
                .execute(Tuple.of(after, limit))
                .map(ScoreRepository::toScores);
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

    static List<ChurnScore> toScores(RowSet<Row> rows) {
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
