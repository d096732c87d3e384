package io.memberpulse.churn.store;

import io.memberpulse.proto.store.ErasedMembers;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Training and batch-scoring jobs in PostgreSQL, so that any replica can say how one is going. Heartbeats are stamped,
 * and their age measured, by the database's clock alone: a replica whose clock runs behind another's would otherwise
 * look lost to it while it beats, and its job would be claimed and run twice at once. The holder's writes name the
 * attempt it runs (churn_job.attempts): once another replica claimed the job as lost, they change nothing.
 */
@ApplicationScoped
public class JobRepository {
    private static final String COLUMNS = """
            id, kind, state, as_of, horizon_days, stage, done, total, result, problem_status, problem_detail,
            scores_csv_gz IS NOT NULL AS has_scores, created_at, started_at, finished_at, heartbeat_at, scheduled_for,
            EXTRACT(EPOCH FROM clock_timestamp() - heartbeat_at)::float8 AS heartbeat_age""";

    private final Pool pool;
    private final IdentityChangeRepository identities;

    public JobRepository(Pool pool, IdentityChangeRepository identities) {
        this.pool = pool;
        this.identities = identities;
    }

    /**
     * A job as stored; stage null before it starts, result and problem null until it ends. heartbeatAge: how long ago
     * it last beat, by the database's clock.
     */
    public record StoredJob(UUID id, String kind, String state, Instant asOf, int horizonDays, String stage, int done,
            int total, String result, Integer problemStatus, String problemDetail, boolean hasScores,
            Instant createdAt, Instant startedAt, Instant finishedAt, Instant heartbeatAt, Instant scheduledFor,
            Duration heartbeatAge) {
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
                VALUES ($1, $2, 'queued', $3, $4, $5, clock_timestamp(), $6)
                ON CONFLICT (scheduled_for) WHERE scheduled_for IS NOT NULL DO NOTHING""")
                .execute(Tuple.of(id, kind, at(asOf), horizonDays, at(now), at(scheduledFor)))
                .map(rows -> rows.rowCount() == 1);
    }

    /*
     * The holder's writes below change the job only while it is still the attempt the holder runs and unfinished:
     * false when another replica claimed it meanwhile (claimLostScheduled), and the holder must stop.
     */

    public Uni<Boolean> started(UUID id, int attempt, Instant now) {
        return pool.preparedQuery("""
                UPDATE churn_job SET state = 'running', started_at = $3, heartbeat_at = clock_timestamp()
                WHERE id = $1 AND attempts = $2 AND finished_at IS NULL""")
                .execute(Tuple.of(id, attempt, at(now))).map(JobRepository::one);
    }

    public Uni<Boolean> progress(UUID id, int attempt, String stage, int done, int total) {
        return pool.preparedQuery("""
                UPDATE churn_job SET stage = $3, done = $4, total = $5, heartbeat_at = clock_timestamp()
                WHERE id = $1 AND attempts = $2 AND finished_at IS NULL""")
                .execute(Tuple.of(id, attempt, stage, done, total)).map(JobRepository::one);
    }

    /**
     * Stores the outcome, a batch's scores without the rows of members erased while it ran: in a transaction holding
     * the identity lock shared, so an erasure either committed before (its members are left out here) or waits and
     * then takes them out of the stored scores itself (IdentityChangeRepository).
     */
    public Uni<Boolean> succeeded(UUID id, int attempt, String result, byte[] scoresCsvGz, Instant now) {
        return identities.inRecordingTransaction(transaction -> (scoresCsvGz == null
                ? Uni.createFrom().<byte[]>nullItem()
                : ErasedMembers.among(transaction, ErasedFromScoresCsv.memberIds(scoresCsvGz))
                        .map(erased -> ErasedFromScoresCsv.without(scoresCsvGz, erased)))
                .chain(csv -> transaction.preparedQuery("""
                        UPDATE churn_job SET state = 'succeeded', result = $3, scores_csv_gz = $4, finished_at = $5,
                          heartbeat_at = clock_timestamp()
                        WHERE id = $1 AND attempts = $2 AND finished_at IS NULL""")
                        .execute(Tuple.of(id, attempt, result, csv == null ? null : Buffer.buffer(csv), at(now)))))
                .map(JobRepository::one);
    }

    public Uni<Boolean> failed(UUID id, int attempt, int status, String detail, Instant now) {
        return pool.preparedQuery("""
                UPDATE churn_job SET state = 'failed', problem_status = $3, problem_detail = $4, finished_at = $5,
                  heartbeat_at = clock_timestamp()
                WHERE id = $1 AND attempts = $2 AND finished_at IS NULL""")
                .execute(Tuple.of(id, attempt, status, detail, at(now))).map(JobRepository::one);
    }

    private static boolean one(RowSet<Row> rows) {
        return rows.rowCount() == 1;
    }

    /** A lost scheduled retraining claimed to run again, and which attempt this is. */
    public record ClaimedJob(UUID id, int horizonDays, int attempt) {
    }

    /**
     * Claims the latest scheduled retraining that has not beaten for lostAfter by the database's clock (its replica
     * stopped), fired within [firedSince, now] and started fewer than maxAttempts times: it is queued again as the
     * next attempt with a fresh heartbeat, so one replica alone takes it, and the writes of the attempt before (its
     * replica may only have been cut off from the database) change it no more.
     */
    public Uni<Optional<ClaimedJob>> claimLostScheduled(Duration lostAfter, Instant firedSince, Instant now,
            int maxAttempts) {
        return pool.preparedQuery("""
                UPDATE churn_job SET state = 'queued', stage = NULL, done = 0, total = 0, started_at = NULL,
                  heartbeat_at = clock_timestamp(), attempts = attempts + 1
                WHERE id = (SELECT id FROM churn_job WHERE kind = 'training' AND scheduled_for BETWEEN $2 AND $3
                    AND finished_at IS NULL AND heartbeat_at < clock_timestamp() - make_interval(secs => $1)
                    AND attempts < $4
                    ORDER BY scheduled_for DESC LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING id, horizon_days, attempts""")
                .execute(Tuple.of(lostAfter.toMillis() / 1000.0, at(firedSince), at(now), maxAttempts))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.empty();
                    }
                    Row row = rows.iterator().next();
                    return Optional.of(new ClaimedJob(row.getUUID(0), row.getInteger(1), row.getInteger(2)));
                });
    }

    /**
     * The jobs a replica holds (queued or running), each by the attempt it runs, are alive. Answers those it still
     * holds: one missing was claimed by another replica (or has finished).
     */
    public Uni<Set<UUID>> heartbeat(Map<UUID, Integer> attempts) {
        if (attempts.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        UUID[] ids = attempts.keySet().toArray(UUID[]::new);
        Integer[] held = new Integer[ids.length];
        for (int i = 0; i < ids.length; i++) {
            held[i] = attempts.get(ids[i]);
        }
        return pool.preparedQuery("""
                UPDATE churn_job SET heartbeat_at = clock_timestamp()
                FROM unnest($1::uuid[], $2::int[]) AS held(id, attempt)
                WHERE churn_job.id = held.id AND churn_job.attempts = held.attempt AND churn_job.finished_at IS NULL
                RETURNING churn_job.id""")
                .execute(Tuple.of(ids, held)).map(rows -> {
                    Set<UUID> alive = new HashSet<>();
                    rows.forEach(row -> alive.add(row.getUUID(0)));
                    return alive;
                });
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
                instant(row.getOffsetDateTime("scheduled_for")),
                Duration.ofMillis(Math.round(row.getDouble("heartbeat_age") * 1000)));
    }

    private static OffsetDateTime at(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(OffsetDateTime at) {
        return at == null ? null : at.toInstant();
    }
}
