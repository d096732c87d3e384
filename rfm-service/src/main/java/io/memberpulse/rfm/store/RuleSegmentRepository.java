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

/** Business-defined segments (rule_segment). */
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
}
