package io.memberpulse.churn.store;

import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Model versions in PostgreSQL: the model and population bytes, the report JSON and its picture. */
@ApplicationScoped
public class ModelRepository {
    private final Pool pool;

    public ModelRepository(Pool pool) {
        this.pool = pool;
    }

    /** A version as listed: no bytes. */
    public record Summary(String version, String kind, Instant trainedAt, Instant asOf, int horizonDays,
            boolean promoted, double validationAuc, double validationLift, String decision) {
    }

    public record StoredModel(Summary summary, String report, byte[] reliabilityPng, byte[] model, byte[] population) {
    }

    /**
     * The transaction-scoped advisory lock (a number of churn-service's own database) that every change of which
     * version is promoted takes: replicas train and promote on their own, and a promotion must see the version
     * promoted before it (see insertIfPromotedIs). "churn_mr" in ASCII.
     */
    public static final long REGISTRY_LOCK = 0x6368_7572_6e5f_6d72L;

    /**
     * Inserts a version; when promoted, it becomes the only promoted one (one transaction, under the registry lock),
     * whatever was promoted before: a version promoted by an operator or a test. A training run stores its version
     * with insertIfPromotedIs.
     */
    public Uni<Void> insert(StoredModel stored) {
        return pool.withTransaction(connection -> lock(connection).chain(() -> insert(connection, stored)));
    }

    /**
     * What insertIfPromotedIs did: stored the version, or not, as the promoted version (promotedNow, null when none)
     * is no longer the one its decision compared against.
     */
    public record Insertion(boolean inserted, Summary promotedNow) {
    }

    /**
     * Inserts the version (promoted or not, as decided) only while the promoted version is still expectedPromoted
     * (null: none), in one transaction under the registry lock: a version another replica promoted since the
     * decision is reported instead, for the caller to decide against it. So a later commit never demotes a version
     * it was not compared with, and two promotions never race for the one-promoted index.
     */
    public Uni<Insertion> insertIfPromotedIs(StoredModel stored, String expectedPromoted) {
        return pool.withTransaction(connection -> lock(connection)
                .chain(() -> connection.query(SUMMARY + " WHERE promoted").execute())
                .chain(rows -> {
                    Summary promotedNow = rows.iterator().hasNext() ? summary(rows.iterator().next()) : null;
                    if (!Objects.equals(promotedNow == null ? null : promotedNow.version(), expectedPromoted)) {
                        return Uni.createFrom().item(new Insertion(false, promotedNow));
                    }
                    return insert(connection, stored).replaceWith(new Insertion(true, promotedNow));
                }));
    }

    private static Uni<Void> insert(SqlConnection connection, StoredModel stored) {
        Summary s = stored.summary();
        Tuple row = Tuple.from(Arrays.asList(s.version(), s.kind(), s.trainedAt().atOffset(ZoneOffset.UTC),
                s.asOf().atOffset(ZoneOffset.UTC), s.horizonDays(), s.promoted(),
                s.promoted() ? s.trainedAt().atOffset(ZoneOffset.UTC) : null, s.validationAuc(), s.validationLift(),
                s.decision(), stored.report(), Buffer.buffer(stored.reliabilityPng()), Buffer.buffer(stored.model()),
                Buffer.buffer(stored.population())));
        return (s.promoted()
                ? connection.query("UPDATE churn_model SET promoted = FALSE WHERE promoted").execute().replaceWithVoid()
                : Uni.createFrom().voidItem())
                .chain(() -> connection.preparedQuery("""
                        INSERT INTO churn_model (version, kind, trained_at, as_of, horizon_days, promoted, promoted_at,
                          validation_auc, validation_lift, decision, report, reliability_png, model, population)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)""").execute(row))
                .replaceWithVoid();
    }

    private static Uni<Void> lock(SqlConnection transaction) {
        // The lock function returns void, which the client cannot decode: count the one row instead.
        return transaction.preparedQuery("SELECT count(*) FROM (SELECT pg_advisory_xact_lock($1)) locked")
                .execute(Tuple.of(REGISTRY_LOCK)).replaceWithVoid();
    }

    private static final String SUMMARY = """
            SELECT version, kind, trained_at, as_of, horizon_days, promoted, validation_auc, validation_lift, decision
            FROM churn_model""";

    public Uni<List<Summary>> list() {
        return pool.query("""
                SELECT version, kind, trained_at, as_of, horizon_days, promoted, validation_auc, validation_lift, decision
                FROM churn_model ORDER BY trained_at DESC, version DESC""").execute().map(rows -> {
                    List<Summary> result = new ArrayList<>();
                    rows.forEach(row -> result.add(summary(row)));
                    return result;
                });
    }

    /** A version's summary and report JSON; empty for an unknown version. */
    public Uni<Optional<StoredReport>> summaryAndReport(String version) {
        return pool.preparedQuery("""
                SELECT version, kind, trained_at, as_of, horizon_days, promoted, validation_auc, validation_lift, decision,
                  report FROM churn_model WHERE version = $1""").execute(Tuple.of(version)).map(rows -> {
                    var it = rows.iterator();
                    if (!it.hasNext()) {
                        return Optional.empty();
                    }
                    Row row = it.next();
                    return Optional.of(new StoredReport(summary(row), row.getString(9)));
                });
    }

    public record StoredReport(Summary summary, String report) {
    }

    public Uni<Optional<String>> report(String version) {
        return pool.preparedQuery("SELECT report FROM churn_model WHERE version = $1").execute(Tuple.of(version))
                .map(rows -> rows.iterator().hasNext() ? Optional.of(rows.iterator().next().getString(0)) : Optional.empty());
    }

    /** A version and its report JSON. */
    public record VersionReport(String version, String report) {
    }

    /** The promoted version's report; empty when none is promoted. */
    public Uni<Optional<VersionReport>> promotedReport() {
        return versionReport("SELECT version, report FROM churn_model WHERE promoted");
    }

    /**
     * The newest version's report for the horizon scores are served at, promoted or not; empty when none was
     * trained (a version trained for another horizon measures another question).
     */
    public Uni<Optional<VersionReport>> latestReport(int horizonDays) {
        return versionReport("SELECT version, report FROM churn_model WHERE horizon_days = $1 ORDER BY trained_at DESC, version DESC LIMIT 1",
                Tuple.of(horizonDays));
    }

    private Uni<Optional<VersionReport>> versionReport(String sql) {
        return versionReport(sql, Tuple.tuple());
    }

    private Uni<Optional<VersionReport>> versionReport(String sql, Tuple parameters) {
        return pool.preparedQuery(sql).execute(parameters).map(rows -> {
            var it = rows.iterator();
            if (!it.hasNext()) {
                return Optional.empty();
            }
            Row row = it.next();
            return Optional.of(new VersionReport(row.getString(0), row.getString(1)));
        });
    }

    public Uni<Optional<byte[]>> reliabilityPng(String version) {
        return pool.preparedQuery("SELECT reliability_png FROM churn_model WHERE version = $1").execute(Tuple.of(version))
                .map(rows -> rows.iterator().hasNext()
                        ? Optional.of(rows.iterator().next().getBuffer(0).getBytes()) : Optional.empty());
    }

    /** The promoted version's summary; empty when none is promoted. */
    public Uni<Optional<Summary>> promotedSummary() {
        return pool.query(SUMMARY + " WHERE promoted").execute()
                .map(rows -> rows.iterator().hasNext() ? Optional.of(summary(rows.iterator().next())) : Optional.empty());
    }

    /** The promoted version's name alone: what a replica checks to follow promotions made elsewhere. */
    public Uni<Optional<String>> promotedVersion() {
        return pool.query("SELECT version FROM churn_model WHERE promoted").execute()
                .map(rows -> rows.iterator().hasNext() ? Optional.of(rows.iterator().next().getString(0))
                        : Optional.empty());
    }

    public Uni<Optional<StoredModel>> promoted() {
        return pool.query("""
                SELECT version, kind, trained_at, as_of, horizon_days, promoted, validation_auc, validation_lift, decision,
                  report, reliability_png, model, population FROM churn_model WHERE promoted""").execute()
                .map(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return Optional.empty();
                    }
                    Row row = rows.iterator().next();
                    return Optional.of(new StoredModel(summary(row), row.getString(9), row.getBuffer(10).getBytes(),
                            row.getBuffer(11).getBytes(), row.getBuffer(12).getBytes()));
                });
    }

    /** A version with its model and population bytes (what scoring loads); empty for an unknown version. */
    public Uni<Optional<StoredModel>> model(String version) {
        return pool.preparedQuery("""
                SELECT version, kind, trained_at, as_of, horizon_days, promoted, validation_auc, validation_lift, decision,
                  report, reliability_png, model, population FROM churn_model WHERE version = $1""")
                .execute(Tuple.of(version)).map(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return Optional.empty();
                    }
                    Row row = rows.iterator().next();
                    return Optional.of(new StoredModel(summary(row), row.getString(9), row.getBuffer(10).getBytes(),
                            row.getBuffer(11).getBytes(), row.getBuffer(12).getBytes()));
                });
    }

    /** Takes every version out of service (scoring falls back to the rhythm baseline), under the registry lock. */
    public Uni<Void> demoteAll() {
        return pool.withTransaction(connection -> lock(connection).chain(() -> connection
                .query("UPDATE churn_model SET promoted = FALSE WHERE promoted").execute().replaceWithVoid()));
    }

    private static Summary summary(Row row) {
        return new Summary(row.getString(0), row.getString(1), row.getOffsetDateTime(2).toInstant(),
                row.getOffsetDateTime(3).toInstant(), row.getInteger(4), row.getBoolean(5), row.getDouble(6),
                row.getDouble(7), row.getString(8));
    }
}
