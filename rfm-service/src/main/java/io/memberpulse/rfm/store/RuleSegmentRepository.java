package io.memberpulse.rfm.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * How segments are defined, shared by every replica: business-defined rules (rule_segment) and the
 * default segments' thresholds changed while running (segment_threshold). Every change raises the
 * definitions' version (segment_definitions) in the transaction that stores it; the writes of member rows
 * check it (RfmRepository), so no replica stores rows computed with definitions older than those stored.
 */
@ApplicationScoped
public class RuleSegmentRepository {
    private final Pool pool;

    public RuleSegmentRepository(Pool pool) {
        this.pool = pool;
    }

    public record StoredRule(String id, String name, String expression) {
    }

    /**
     * The version of the stored definitions. Read it before the rules and thresholds: what they read is then at
     * least that new, so definitions are never taken for newer than they are.
     */
    public Uni<Long> version() {
        return pool.query("SELECT version FROM segment_definitions WHERE id = 1").execute()
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /** Raises the version in the transaction storing a change (waits for row writes in flight, which hold it FOR SHARE). */
    private static Uni<Boolean> changed(SqlClient tx) {
        return tx.query("UPDATE segment_definitions SET version = version + 1 WHERE id = 1").execute().replaceWith(true);
    }

    /** Runs a statement storing a change and, when it changed a row, raises the version, in one transaction. */
    private Uni<Boolean> store(String sql, Tuple arguments) {
        return pool.withTransaction(tx -> tx.preparedQuery(sql).execute(arguments)
                .flatMap(result -> result.rowCount() == 1 ? changed(tx) : Uni.createFrom().item(false)));
    }

    public Uni<List<StoredRule>> all() {
        return pool.query("SELECT id, name, expression FROM rule_segment ORDER BY created_at").execute().map(rows -> {
            List<StoredRule> rules = new ArrayList<>();
            for (Row row : rows) {
                rules.add(new StoredRule(row.getString(0), row.getString(1), row.getString(2)));
            }
            return rules;
        });
    }

    /** False when the id is taken. */
    public Uni<Boolean> insert(StoredRule rule, Instant at) {
        return store("""
                INSERT INTO rule_segment (id, name, expression, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING""",
                Tuple.of(rule.id(), rule.name(), rule.expression(), at.atOffset(ZoneOffset.UTC)));
    }

    /** False when no such segment is stored. */
    public Uni<Boolean> update(StoredRule rule) {
        return store("UPDATE rule_segment SET name = $2, expression = $3 WHERE id = $1",
                Tuple.of(rule.id(), rule.name(), rule.expression()));
    }

    /** False when no such segment is stored. */
    public Uni<Boolean> delete(String id) {
        return store("DELETE FROM rule_segment WHERE id = $1", Tuple.of(id));
    }

    /** A default segment's thresholds as changed while running. */
    public record StoredThresholds(String segmentId, double recencyDays, int orders30d, double monetary30d) {
    }

    public Uni<List<StoredThresholds>> thresholds() {
        return pool.query("SELECT segment_id, recency_days, orders_30d, monetary_30d FROM segment_threshold ORDER BY segment_id")
                .execute().map(rows -> {
                    List<StoredThresholds> thresholds = new ArrayList<>();
                    for (Row row : rows) {
                        thresholds.add(new StoredThresholds(row.getString(0), row.getDouble(1), row.getInteger(2), row.getDouble(3)));
                    }
                    return thresholds;
                });
    }

    public Uni<Void> saveThresholds(StoredThresholds thresholds, Instant at) {
        return store("""
                INSERT INTO segment_threshold (segment_id, recency_days, orders_30d, monetary_30d, updated_at)
                VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (segment_id) DO UPDATE SET recency_days = EXCLUDED.recency_days, orders_30d = EXCLUDED.orders_30d,
                    monetary_30d = EXCLUDED.monetary_30d, updated_at = EXCLUDED.updated_at""",
                Tuple.of(thresholds.segmentId(), thresholds.recencyDays(), thresholds.orders30d(),
                        thresholds.monetary30d(), at.atOffset(ZoneOffset.UTC)))
                .replaceWithVoid();
    }
}
