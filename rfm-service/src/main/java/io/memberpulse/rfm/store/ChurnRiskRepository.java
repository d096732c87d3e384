package io.memberpulse.rfm.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Members' latest churn probabilities (member_churn_risk), from churn.scores. */
@ApplicationScoped
public class ChurnRiskRepository {
    private final Pool pool;

    public ChurnRiskRepository(Pool pool) {
        this.pool = pool;
    }

    public record Risk(String memberId, double probability, Instant asOf) {
    }

    /**
     * Keeps the newer of the stored and the given score, but for members a merge absorbed (member_alias): their
     * score is the survivor's now, and the merge deleted theirs.
     * @param client the transaction holding the identity-change lock (IdentityChangeRepository.inRecordingTransaction)
     */
    public Uni<Void> upsertUnlessAbsorbed(SqlClient client, List<Risk> risks) {
        if (risks.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> tuples = new ArrayList<>(risks.size());
        risks.forEach(r -> tuples.add(Tuple.of(r.memberId(), r.probability(), r.asOf().atOffset(ZoneOffset.UTC))));
        return client.preparedQuery("""
                INSERT INTO member_churn_risk (member_id, probability, as_of)
                SELECT $1::text, $2::float8, $3::timestamptz WHERE NOT EXISTS (SELECT 1 FROM member_alias a WHERE a.absorbed_member_id = $1)
                ON CONFLICT (member_id) DO UPDATE SET probability = EXCLUDED.probability, as_of = EXCLUDED.as_of
                WHERE member_churn_risk.as_of <= EXCLUDED.as_of""")
                .executeBatch(tuples).replaceWithVoid();
    }

    /**
     * Deletes the members' scores (withdrawn on churn.scores).
     * @param client the transaction holding the identity-change lock (IdentityChangeRepository.inRecordingTransaction)
     */
    public Uni<Void> delete(SqlClient client, java.util.Collection<String> memberIds) {
        if (memberIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return client.preparedQuery("DELETE FROM member_churn_risk WHERE member_id = ANY($1)")
                .execute(Tuple.of(memberIds.toArray(String[]::new))).replaceWithVoid();
    }

    public Uni<java.util.Map<String, Double>> probabilities(java.util.Collection<String> memberIds) {
        return pool.preparedQuery("SELECT member_id, probability FROM member_churn_risk WHERE member_id = ANY($1)")
                .execute(Tuple.of(memberIds.toArray(String[]::new)))
                .map(rows -> {
                    java.util.Map<String, Double> found = new java.util.HashMap<>();
                    rows.forEach(row -> found.put(row.getString(0), row.getDouble(1)));
                    return found;
                });
    }

    /** Every member's latest probability, streamed. */
    public Uni<Long> forEachProbability(java.util.function.BiConsumer<String, Double> each) {
        return RowScan.forEach(pool, "SELECT member_id, probability FROM member_churn_risk",
                row -> each.accept(row.getString(0), row.getDouble(1)));
    }

    public Uni<Optional<Double>> probability(String memberId) {
        return pool.preparedQuery("SELECT probability FROM member_churn_risk WHERE member_id = $1").execute(Tuple.of(memberId))
                .map(rows -> {
                    var it = rows.iterator();
                    return it.hasNext() ? Optional.of(it.next().getDouble(0)) : Optional.empty();
                });
    }
}
