package io.memberpulse.rfm.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * How segments are defined, shared by every replica: business-defined rules (rule_segment) and the
 * default segments' thresholds changed while running (segment_threshold).
 */
@ApplicationScoped
public class RuleSegmentRepository {
    private final Pool pool;

    public RuleSegmentRepository(Pool pool) {
        this.pool = pool;
    }

    public record StoredRule(String id, String name, String expression) {
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
        return pool.preparedQuery("""
                INSERT INTO rule_segment (id, name, expression, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING""")
                .execute(Tuple.of(rule.id(), rule.name(), rule.expression(), at.atOffset(ZoneOffset.UTC)))
                .map(result -> result.rowCount() == 1);
    }

    /** False when no such segment is stored. */
    public Uni<Boolean> update(StoredRule rule) {
        return pool.preparedQuery("UPDATE rule_segment SET name = $2, expression = $3 WHERE id = $1")
                .execute(Tuple.of(rule.id(), rule.name(), rule.expression()))
                .map(result -> result.rowCount() == 1);
    }

    /** False when no such segment is stored. */
    public Uni<Boolean> delete(String id) {
        return pool.preparedQuery("DELETE FROM rule_segment WHERE id = $1").execute(Tuple.of(id))
                .map(result -> result.rowCount() == 1);
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
        return pool.preparedQuery("""
                INSERT INTO segment_threshold (segment_id, recency_days, orders_30d, monetary_30d, updated_at)
                VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (segment_id) DO UPDATE SET recency_days = EXCLUDED.recency_days, orders_30d = EXCLUDED.orders_30d,
                    monetary_30d = EXCLUDED.monetary_30d, updated_at = EXCLUDED.updated_at""")
                .execute(Tuple.of(thresholds.segmentId(), thresholds.recencyDays(), thresholds.orders30d(),
                        thresholds.monetary30d(), at.atOffset(ZoneOffset.UTC)))
                .replaceWithVoid();
    }
}
