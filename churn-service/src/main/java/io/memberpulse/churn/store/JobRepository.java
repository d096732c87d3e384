package io.memberpulse.churn.store;

import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Training and batch-scoring jobs in PostgreSQL, so that any replica can say how one is going. */
@ApplicationScoped
public class JobRepository {
    private static final String COLUMNS = """
            id, kind, state, as_of, horizon_days, stage, done, total, result, problem_status, problem_detail,
            scores_csv_gz IS NOT NULL AS has_scores, created_at, started_at, finished_at, heartbeat_at, scheduled_for""";

    private final Pool pool;

    public JobRepository(Pool pool) {
        this.pool = pool;
    }

    /** A job as stored; stage null before it starts, result and problem null until it ends. */
    public record StoredJob(UUID id, String kind, String state, Instant asOf, int horizonDays, String stage, int done,
            int total, String result, Integer problemStatus, String problemDetail, boolean hasScores,
            Instant createdAt, Instant startedAt, Instant finishedAt, Instant heartbeatAt, Instant scheduledFor) {
    }

    /** Records a job asked for now, on the facts known at asOf (null: the event clock). */
    public Uni<Void> insert(UUID id, String kind, Instant asOf, int horizonDays, Instant now) {
        return insert(id, kind, asOf, horizonDays, null, now).replaceWithVoid();
    }

    /**
     * Records the job that runs a scheduled retraining firing at scheduledFor, unless a replica already has:
     * true when this call took the slot.
     */
    public Uni<Boolean> insertScheduled(UUID id, String kind, int horizonDays, Instant scheduledFor, Instant now) {
        return insert(id, kind, null, horizonDays, scheduledFor, now);
    }

    /**
     * True when the row went in. Only a scheduled job (scheduledFor not null) can lose to another replica's row
     * for the same instant (unique index of V5); a null scheduledFor is outside that partial index and never
     * conflicts.
     */
    private Uni<Boolean> insert(UUID id, String kind, Instant asOf, int horizonDays, Instant scheduledFor,
            Instant now) {
        return pool.preparedQuery("""
                INSERT INTO churn_job (id, kind, state, as_of, horizon_days, created_at, heartbeat_at, scheduled_for)
                VALUES ($1, $2, 'queued', $3, $4, $5, $5, $6)
                ON CONFLICT (scheduled_for) WHERE scheduled_for IS NOT NULL DO NOTHING""")
                .execute(Tuple.of(id, kind, at(asOf), horizonDays, at(now), at(scheduledFor)))
                .map(rows -> rows.rowCount() == 1);
    }

    public Uni<Void> started(UUID id, Instant now) {
        return pool.preparedQuery("UPDATE churn_job SET state = 'running', started_at = $2, heartbeat_at = $2 WHERE id = $1")
                .execute(Tuple.of(id, at(now))).replaceWithVoid();
    }

    public Uni<Void> progress(UUID id, String stage, int done, int total, Instant now) {
        return pool.preparedQuery("""
                UPDATE churn_job SET stage = $2, done = $3, total = $4, heartbeat_at = $5 WHERE id = $1""")
                .execute(Tuple.of(id, stage, done, total, at(now))).replaceWithVoid();
    }

    public Uni<Void> succeeded(UUID id, String result, byte[] scoresCsvGz, Instant now) {
        return pool.preparedQuery("""
                UPDATE churn_job SET state = 'succeeded', result = $2, scores_csv_gz = $3, finished_at = $4,
                  heartbeat_at = $4 WHERE id = $1""")
                .execute(Tuple.of(id, result, scoresCsvGz == null ? null : Buffer.buffer(scoresCsvGz), at(now)))
                .replaceWithVoid();
    }

    public Uni<Void> failed(UUID id, int status, String detail, Instant now) {
        return pool.preparedQuery("""
                UPDATE churn_job SET state = 'failed', problem_status = $2, problem_detail = $3, finished_at = $4,
                  heartbeat_at = $4 WHERE id = $1""")
                .execute(Tuple.of(id, status, detail, at(now))).replaceWithVoid();
    }

    /** A lost scheduled retraining claimed to run again, and which attempt this is. */
    public record ClaimedJob(UUID id, int horizonDays, int attempt) {
    }

    /**
     * Claims the latest scheduled retraining that stopped beating before lostBefore (its replica stopped), fired
     * within [firedSince, now] and started fewer than maxAttempts times: it is queued again with a fresh heartbeat,
     * so one replica alone takes it.
     */
    public Uni<Optional<ClaimedJob>> claimLostScheduled(Instant lostBefore, Instant firedSince, Instant now,
            int maxAttempts) {
        return pool.preparedQuery("""
                UPDATE churn_job SET state = 'queued', stage = NULL, done = 0, total = 0, started_at = NULL,
                  heartbeat_at = $3, attempts = attempts + 1
                WHERE id = (SELECT id FROM churn_job WHERE kind = 'training' AND scheduled_for BETWEEN $2 AND $3
                    AND finished_at IS NULL AND heartbeat_at < $1 AND attempts < $4
                    ORDER BY scheduled_for DESC LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING id, horizon_days, attempts""")
                .execute(Tuple.of(at(lostBefore), at(firedSince), at(now), maxAttempts))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.empty();
                    }
                    Row row = rows.iterator().next();
                    return Optional.of(new ClaimedJob(row.getUUID(0), row.getInteger(1), row.getInteger(2)));
                });
    }

    /** The jobs a replica still holds (queued or running) are alive. */
    public Uni<Void> heartbeat(Collection<UUID> ids, Instant now) {
        if (ids.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return pool.preparedQuery("UPDATE churn_job SET heartbeat_at = $2 WHERE id = ANY($1) AND finished_at IS NULL")
                .execute(Tuple.of(ids.toArray(UUID[]::new), at(now))).replaceWithVoid();
    }

    public Uni<Optional<StoredJob>> find(UUID id) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM churn_job WHERE id = $1").execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(job(rows.iterator().next())));
    }

    /** The newest jobs first. */
    public Uni<List<StoredJob>> recent(int limit) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM churn_job ORDER BY created_at DESC, id LIMIT $1")
                .execute(Tuple.of(limit)).map(rows -> {
                    List<StoredJob> result = new ArrayList<>();
                    rows.forEach(row -> result.add(job(row)));
                    return result;
                });
    }

    public Uni<Optional<byte[]>> scoresCsvGz(UUID id) {
        return pool.preparedQuery("SELECT scores_csv_gz FROM churn_job WHERE id = $1").execute(Tuple.of(id))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.empty();
                    }
                    var bytes = rows.iterator().next().getBuffer("scores_csv_gz");
                    return bytes == null ? Optional.<byte[]>empty() : Optional.of(bytes.getBytes());
                });
    }

    /** Forgets the jobs that ended before the instant; how many. */
    public Uni<Integer> deleteFinishedBefore(Instant before) {
        return pool.preparedQuery("DELETE FROM churn_job WHERE finished_at < $1").execute(Tuple.of(at(before)))
                .map(rows -> rows.rowCount());
    }

    private static StoredJob job(Row row) {
        return new StoredJob(row.getUUID("id"), row.getString("kind"), row.getString("state"),
                instant(row.getOffsetDateTime("as_of")), row.getInteger("horizon_days"), row.getString("stage"),
                row.getInteger("done"), row.getInteger("total"), row.getString("result"),
                row.getInteger("problem_status"), row.getString("problem_detail"), row.getBoolean("has_scores"),
                instant(row.getOffsetDateTime("created_at")), instant(row.getOffsetDateTime("started_at")),
                instant(row.getOffsetDateTime("finished_at")), instant(row.getOffsetDateTime("heartbeat_at")),
                instant(row.getOffsetDateTime("scheduled_for")));
    }

    private static OffsetDateTime at(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(OffsetDateTime at) {
        return at == null ? null : at.toInstant();
    }
}
