package io.memberpulse.rfm.store;

import io.memberpulse.rfm.domain.ConfigurationHistory;
import io.memberpulse.rfm.domain.ConfiguredDefinitions;
import io.memberpulse.rfm.domain.DefaultSegments;
import io.memberpulse.rfm.domain.LifecycleRules;
import io.memberpulse.rfm.domain.MarginRates;
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
import java.util.Optional;
import java.util.function.Function;

/**
 * How segments are defined, shared by every replica: business-defined rules (rule_segment) and the
 * default segments' thresholds changed while running (segment_threshold). Every change raises the
 * definitions' version (segment_definitions) in the transaction that stores it; the writes of member rows
 * check it (MemberRowRepository), so no replica stores rows computed with definitions older than those stored. Every change is
 * also recorded, in the same transaction, as a version with its validity (segment_definition_history), which queries
 * as of a past instant read; so is every configuration of the default thresholds and lifecycle rules a replica starts
 * with (configured_definition_history).
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

    /**
     * Runs a statement storing a change and, when it changed a row, records the change in the definitions' history and
     * raises the version, in one transaction.
     */
    private Uni<Boolean> store(String sql, Tuple arguments, Function<SqlClient, Uni<?>> history) {
        return pool.withTransaction(tx -> tx.preparedQuery(sql).execute(arguments)
                .flatMap(result -> result.rowCount() == 1 ? history.apply(tx).flatMap(recorded -> changed(tx))
                        : Uni.createFrom().item(false)));
    }

    /**
     * Ends the version of a segment's definition in force (rule or thresholds) at {@code at}; never before it began,
     * should the replica recording the change have a clock behind the one that recorded the version.
     */
    private static Uni<?> close(SqlClient tx, String kind, String segmentId, Instant at) {
        return tx.preparedQuery("""
                UPDATE segment_definition_history SET valid_to = GREATEST($3, valid_from)
                WHERE kind = $1 AND segment_id = $2 AND valid_to IS NULL""")
                .execute(Tuple.of(kind, segmentId, at.atOffset(ZoneOffset.UTC)));
    }

    private static Uni<?> open(SqlClient tx, StoredRule rule, Instant at) {
        return tx.preparedQuery("""
                INSERT INTO segment_definition_history (kind, segment_id, name, expression, valid_from)
                VALUES ('rule', $1, $2, $3, $4)""")
                .execute(Tuple.of(rule.id(), rule.name(), rule.expression(), at.atOffset(ZoneOffset.UTC)));
    }

    private static Uni<?> open(SqlClient tx, StoredThresholds thresholds, Instant at) {
        return tx.preparedQuery("""
                INSERT INTO segment_definition_history (kind, segment_id, recency_days, orders_30d, monetary_30d, valid_from)
                VALUES ('thresholds', $1, $2, $3, $4, $5)""")
                .execute(Tuple.of(thresholds.segmentId(), thresholds.recencyDays(), thresholds.orders30d(),
                        thresholds.monetary30d(), at.atOffset(ZoneOffset.UTC)));
    }

    /**
     * The rules in force at an instant of the service's clock, by the history of changes: the last version of each
     * that began at or before it and had not ended (edited or retired) by then.
     */
    public Uni<List<StoredRule>> allAt(Instant at) {
        return pool.preparedQuery("""
                SELECT segment_id, name, expression FROM (
                    SELECT DISTINCT ON (segment_id) segment_id, name, expression, seq FROM segment_definition_history
                    WHERE kind = 'rule' AND valid_from <= $1 AND (valid_to IS NULL OR valid_to > $1)
                    ORDER BY segment_id, seq DESC) in_force
                ORDER BY seq""").execute(Tuple.of(at.atOffset(ZoneOffset.UTC))).map(rows -> {
            List<StoredRule> rules = new ArrayList<>();
            for (Row row : rows) {
                rules.add(new StoredRule(row.getString(0), row.getString(1), row.getString(2)));
            }
            return rules;
        });
    }

    /** The default segments' thresholds changed while running and in force at an instant of the service's clock. */
    public Uni<List<StoredThresholds>> thresholdsAt(Instant at) {
        return pool.preparedQuery("""
                SELECT DISTINCT ON (segment_id) segment_id, recency_days, orders_30d, monetary_30d FROM segment_definition_history
                WHERE kind = 'thresholds' AND valid_from <= $1 AND (valid_to IS NULL OR valid_to > $1)
                ORDER BY segment_id, seq DESC""").execute(Tuple.of(at.atOffset(ZoneOffset.UTC))).map(RuleSegmentRepository::thresholds);
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

    /** False when the id is taken. {@code at}: the service's clock, when the rule takes effect. */
    public Uni<Boolean> insert(StoredRule rule, Instant at) {
        return store("""
                INSERT INTO rule_segment (id, name, expression, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING""",
                Tuple.of(rule.id(), rule.name(), rule.expression(), at.atOffset(ZoneOffset.UTC)),
                tx -> close(tx, "rule", rule.id(), at).flatMap(closed -> open(tx, rule, at)));
    }

    /** False when no such segment is stored. {@code at}: the service's clock, when the change takes effect. */
    public Uni<Boolean> update(StoredRule rule, Instant at) {
        return store("UPDATE rule_segment SET name = $2, expression = $3 WHERE id = $1",
                Tuple.of(rule.id(), rule.name(), rule.expression()),
                tx -> close(tx, "rule", rule.id(), at).flatMap(closed -> open(tx, rule, at)));
    }

    /** False when no such segment is stored. {@code at}: the service's clock, when it is retired. */
    public Uni<Boolean> delete(String id, Instant at) {
        return store("DELETE FROM rule_segment WHERE id = $1", Tuple.of(id), tx -> close(tx, "rule", id, at));
    }

    /** A default segment's thresholds as changed while running. */
    public record StoredThresholds(String segmentId, double recencyDays, int orders30d, double monetary30d) {
    }

    public Uni<List<StoredThresholds>> thresholds() {
        return pool.query("SELECT segment_id, recency_days, orders_30d, monetary_30d FROM segment_threshold ORDER BY segment_id")
                .execute().map(RuleSegmentRepository::thresholds);
    }

    private static List<StoredThresholds> thresholds(io.vertx.mutiny.sqlclient.RowSet<Row> rows) {
        List<StoredThresholds> thresholds = new ArrayList<>();
        for (Row row : rows) {
            thresholds.add(new StoredThresholds(row.getString(0), row.getDouble(1), row.getInteger(2), row.getDouble(3)));
        }
        return thresholds;
    }

    public Uni<Void> saveThresholds(StoredThresholds thresholds, Instant at) {
        return store("""
                INSERT INTO segment_threshold (segment_id, recency_days, orders_30d, monetary_30d, updated_at)
                VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (segment_id) DO UPDATE SET recency_days = EXCLUDED.recency_days, orders_30d = EXCLUDED.orders_30d,
                    monetary_30d = EXCLUDED.monetary_30d, updated_at = EXCLUDED.updated_at""",
                Tuple.of(thresholds.segmentId(), thresholds.recencyDays(), thresholds.orders30d(),
                        thresholds.monetary30d(), at.atOffset(ZoneOffset.UTC)),
                tx -> close(tx, "thresholds", thresholds.segmentId(), at).flatMap(closed -> open(tx, thresholds, at)))
                .replaceWithVoid();
    }

    private static final String CONFIGURED_COLUMNS = """
            high_value_active_recency, high_value_active_orders_30d, high_value_active_monetary, potential_recency,
            potential_orders_30d, potential_monetary, churn_edge_recency, churn_edge_orders_30d, churn_edge_monetary,
            dormant_days, at_risk_days, loyal_orders_90d, loyal_monetary_90d, default_margin_rate, category_margin_rates""";

    /**
     * Records the running configuration's definitions (thresholds, lifecycle rules, margin rates) as in force from
     * {@code at} (the service's clock, never before the last version's start) unless the last version recorded is the
     * same; true when recorded. Replicas starting at once take turns on the table's lock, each comparing with what the
     * one before recorded: one version, no failure.
     */
    public Uni<Boolean> recordConfiguration(ConfiguredDefinitions running, Instant at) {
        return pool.withTransaction(tx -> tx.query("LOCK TABLE configured_definition_history IN SHARE ROW EXCLUSIVE MODE")
                .execute()
                .flatMap(locked -> tx.query("SELECT " + CONFIGURED_COLUMNS
                        + " FROM configured_definition_history ORDER BY seq DESC LIMIT 1").execute())
                .flatMap(last -> {
                    Optional<ConfiguredDefinitions> recorded = last.size() == 0 ? Optional.empty()
                            : Optional.of(configured(last.iterator().next(), 0));
                    if (!ConfigurationHistory.differs(recorded, running)) {
                        return Uni.createFrom().item(false);
                    }
                    Tuple values = Tuple.of(at.atOffset(ZoneOffset.UTC));
                    for (Object value : List.<Object>of(running.highValueActive().maxRecencyDays(),
                            running.highValueActive().minOrders30d(), running.highValueActive().minMonetary30d(),
                            running.potential().maxRecencyDays(), running.potential().minOrders30d(),
                            running.potential().minMonetary30d(), running.churnEdge().minRecencyDays(),
                            running.churnEdge().maxOrders30d(), running.churnEdge().maxMonetary30d(),
                            running.lifecycle().dormantDays(), running.lifecycle().atRiskDays(),
                            running.lifecycle().loyalOrders90d(), running.lifecycle().loyalMonetary90d(),
                            running.marginRates().defaultRate(), running.marginRates().categoryRates())) {
                        values.addValue(value);
                    }
                    // GREATEST ignores the NULL of an empty history
                    return tx.preparedQuery("INSERT INTO configured_definition_history (valid_from, " + CONFIGURED_COLUMNS
                            + ") VALUES (GREATEST($1, (SELECT max(valid_from) FROM configured_definition_history)), $2, $3,"
                            + " $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)").execute(values).replaceWith(true);
                }));
    }

    /** Every version of the configured definitions, in the order recorded. */
    public Uni<List<ConfigurationHistory.Version>> configurations() {
        return pool.query("SELECT valid_from, " + CONFIGURED_COLUMNS + " FROM configured_definition_history ORDER BY seq")
                .execute().map(rows -> {
                    List<ConfigurationHistory.Version> versions = new ArrayList<>();
                    for (Row row : rows) {
                        versions.add(new ConfigurationHistory.Version(row.getOffsetDateTime(0).toInstant(), configured(row, 1)));
                    }
                    return versions;
                });
    }

    private static ConfiguredDefinitions configured(Row row, int first) {
        var lifecycle = new LifecycleRules(row.getDouble(first + 9), row.getDouble(first + 10), row.getInteger(first + 11),
                row.getDouble(first + 12));
        Double defaultMarginRate = row.getDouble(first + 13); // NULL in a version recorded before V18
        MarginRates marginRates = defaultMarginRate == null ? null
                : MarginRates.parse(defaultMarginRate, row.getString(first + 14));
        return new ConfiguredDefinitions(
                new DefaultSegments.Active(row.getDouble(first), row.getInteger(first + 1), row.getDouble(first + 2)),
                new DefaultSegments.Active(row.getDouble(first + 3), row.getInteger(first + 4), row.getDouble(first + 5)),
                new DefaultSegments.Fading(row.getDouble(first + 6), row.getInteger(first + 7), row.getDouble(first + 8),
                        lifecycle.dormantDays()),
                lifecycle, marginRates);
    }
}
