package io.memberpulse.churn;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.memberpulse.churn.domain.FactsBehindException;
import io.memberpulse.churn.domain.InvalidInputException;
import io.memberpulse.churn.domain.LabelOutageException;
import io.memberpulse.churn.domain.NotEnoughDataException;
import io.memberpulse.churn.domain.NotEnoughMemoryException;
import io.memberpulse.churn.domain.model.TrainingProgress;
import io.memberpulse.churn.store.JobRepository;
import io.memberpulse.churn.stream.ConsumedFacts;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPOutputStream;
import org.jboss.logging.Logger;

/**
 * Training and batch scoring as jobs: a request queues one and answers at once; this replica runs its
 * jobs one at a time in the background (a run holds every member's history in memory), writing the
 * stage and progress to PostgreSQL so that any replica can report it, and beating every 10 s while it
 * holds them. Why jobs: a run takes a minute on Online Retail and grows with the members, longer than a
 * client or an ingress waits on one request. A job another replica claimed as lost (this one's beats did not reach
 * the database for LOST_AFTER) is no longer this replica's: its run stops at its next progress report after its next
 * beat or progress write, and writes nothing more (a training reports just before it stores and promotes a model).
 */
@ApplicationScoped
public class ChurnJobs {
    static final Duration LOST_AFTER = Duration.ofSeconds(60);
    static final Duration KEPT_FOR = Duration.ofDays(7);
    /** A lost scheduled retraining is run again if it fired within this long, at most this many times in all. */
    static final Duration RESUMED_WITHIN = Duration.ofHours(12);
    static final int MAX_ATTEMPTS = 3;
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(1);
    private static final Logger LOG = Logger.getLogger(ChurnJobs.class);

    private final JobRepository jobs;
    private final TrainModelService training;
    private final BatchScoreService batchScoring;
    private final ConsumedFacts facts;
    private final ObjectMapper json;
    private final Map<UUID, Holding> held = new ConcurrentHashMap<>();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "churn-jobs");
        thread.setDaemon(true);
        return thread;
    });

    public ChurnJobs(JobRepository jobs, TrainModelService training, BatchScoreService batchScoring, ConsumedFacts facts,
            ObjectMapper json) {
        this.jobs = jobs;
        this.training = training;
        this.batchScoring = batchScoring;
        this.facts = facts;
        this.json = json;
    }

    /** Queues training on the facts known at asOf (null: the event clock). */
    public ChurnJob submitTraining(Instant asOf, int horizonDays) {
        TrainingRun.checkHorizon(horizonDays);
        UUID id = UUID.randomUUID();
        jobs.insert(id, ChurnJob.TRAINING, asOf, horizonDays, Instant.now()).await().indefinitely();
        return queue(id, FIRST_ATTEMPT, trainingAt(asOf, horizonDays));
    }

    /**
     * Queues the retraining scheduled for a cron instant, at the event clock, unless another replica already
     * took that instant (empty): every replica's scheduler fires, one run is enough.
     */
    public Optional<ChurnJob> submitScheduledTraining(Instant scheduledFor, int horizonDays) {
        TrainingRun.checkHorizon(horizonDays);
        UUID id = UUID.randomUUID();
        boolean taken = jobs.insertScheduled(id, ChurnJob.TRAINING, horizonDays, scheduledFor, Instant.now())
                .await().indefinitely();
        return taken ? Optional.of(queue(id, FIRST_ATTEMPT, trainingAt(null, horizonDays))) : Optional.empty();
    }

    private Work trainingAt(Instant asOf, int horizonDays) {
        return progress -> {
            TrainModelService.Outcome outcome = training.train(asOf, horizonDays, progress);
            LOG.infof("training job: %s %s", outcome.version(), outcome.decision());
            return new Finished(write(outcome), null);
        };
    }

    /** Queues batch scoring as of asOf (required). */
    public ChurnJob submitBatchScore(Instant asOf, int horizonDays) {
        if (asOf == null) {
            throw new InvalidInputException("asOf", "is required (a date such as 2011-09-10)");
        }
        TrainingRun.checkHorizon(horizonDays);
        UUID id = UUID.randomUUID();
        jobs.insert(id, ChurnJob.BATCH_SCORE, asOf, horizonDays, Instant.now()).await().indefinitely();
        return queue(id, FIRST_ATTEMPT, progress -> {
            BatchScoreService.Batch batch = batchScoring.score(asOf, horizonDays, progress);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("membersScored", batch.rows().size());
            result.put("model", batch.kind());
            result.put("basis", batch.basis());
            return new Finished(write(result), gzippedCsv(batch.rows()));
        });
    }

    public Optional<ChurnJob> find(UUID id) {
        return jobs.find(id).await().indefinitely().map(stored -> ChurnJob.of(stored, LOST_AFTER));
    }

    public List<ChurnJob> recent(int limit) {
        return jobs.recent(limit).await().indefinitely().stream().map(stored -> ChurnJob.of(stored, LOST_AFTER))
                .toList();
    }

    /** A succeeded batch-score job's CSV, gzip. */
    public Optional<byte[]> scoresCsvGz(UUID id) {
        return jobs.scoresCsvGz(id).await().indefinitely();
    }

    /** What a job does: its result JSON and, for a batch, the scores. */
    private interface Work {
        Finished run(TrainingProgress progress);
    }

    private record Finished(String result, byte[] scoresCsvGz) {
    }

    /** A job is recorded as its first attempt; each claim of it as lost is the next one (churn_job.attempts). */
    private static final int FIRST_ATTEMPT = 1;

    /** A job this replica holds: the attempt it runs, and whether another replica has claimed the job since. */
    private static final class Holding {
        final int attempt;
        volatile boolean claimedElsewhere;

        Holding(int attempt) {
            this.attempt = attempt;
        }
    }

    /** Stops a run whose job another replica claimed: that one runs it again, this one writes nothing more. */
    private static final class ClaimedElsewhere extends RuntimeException {
        ClaimedElsewhere(UUID id) {
            super("job " + id + " was claimed by another replica", null, false, false);
        }
    }

    /**
     * Runs a recorded job on this replica's worker, after the jobs queued before it; forgets old jobs. The job
     * is answered as queued, read before the worker may start it (a quick failure could otherwise be answered).
     */
    private ChurnJob queue(UUID id, int attempt, Work work) {
        jobs.deleteFinishedBefore(Instant.now().minus(KEPT_FOR)).await().indefinitely();
        ChurnJob queued = find(id).orElseThrow();
        Holding holding = new Holding(attempt);
        held.put(id, holding);
        worker.submit(() -> execute(id, holding, work));
        return queued;
    }

    private void execute(UUID id, Holding holding, Work work) {
        try {
            if (!jobs.started(id, holding.attempt, Instant.now()).await().indefinitely()) {
                throw new ClaimedElsewhere(id);
            }
            Reporter reporter = new Reporter(id, holding);
            // A run reads the facts as stored: first let the consumers store every one published before it.
            facts.awaitCaughtUp((consumed, behind) -> {
                if (behind > 0) {
                    reporter.report(TrainingProgress.Stage.AWAITING_FACTS, (int) Math.min(consumed, Integer.MAX_VALUE),
                            (int) Math.min(behind, Integer.MAX_VALUE));
                }
            });
            Finished finished = work.run(reporter);
            if (!jobs.succeeded(id, holding.attempt, finished.result(), finished.scoresCsvGz(), Instant.now())
                    .await().indefinitely()) {
                throw new ClaimedElsewhere(id);
            }
        } catch (ClaimedElsewhere e) {
            LOG.warnf("job %s (attempt %d): another replica claimed it as lost and runs it again (this replica's beats"
                    + " did not reach the database for %s); stopped here, its outcome not written", id,
                    holding.attempt, LOST_AFTER);
        } catch (NotEnoughDataException | LabelOutageException e) {
            fail(id, holding, 409, e.getMessage());
        } catch (NotEnoughMemoryException | FactsBehindException e) {
            fail(id, holding, 503, e.getMessage());
        } catch (InvalidInputException e) {
            fail(id, holding, 400, e.field() + ": " + e.getMessage());
        } catch (RuntimeException | Error e) {
            LOG.errorf(e, "job %s failed", id);
            fail(id, holding, 500, "internal error: " + e);
        } finally {
            held.remove(id, holding);
        }
    }

    private void fail(UUID id, Holding holding, int status, String detail) {
        LOG.warnf("job %s failed (%d): %s", id, status, detail);
        if (!jobs.failed(id, holding.attempt, status, detail, Instant.now()).await().indefinitely()) {
            LOG.warnf("job %s (attempt %d): another replica claimed it meanwhile, its failure not written", id,
                    holding.attempt);
        }
    }

    @Scheduled(every = "60s", delayed = "30s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void resumeLostScheduledTraining() {
        resumeLost(Instant.now());
    }

    /**
     * Queues again, on this replica, the scheduled retraining whose replica stopped (a rollout, a scale-in, a
     * drain): otherwise that night's model would silently not be trained. A job asked for by a client is not
     * resumed: its client sees it lost and decides.
     */
    public Optional<ChurnJob> resumeLost(Instant now) {
        // lost by the database's clock (JobRepository); now only bounds the cron instants looked at
        return jobs.claimLostScheduled(LOST_AFTER, now.minus(RESUMED_WITHIN), now, MAX_ATTEMPTS)
                .await().indefinitely().map(claimed -> {
                    LOG.warnf("scheduled retraining %s lost by its replica: run again here (attempt %d of %d)",
                            claimed.id(), claimed.attempt(), MAX_ATTEMPTS);
                    return queue(claimed.id(), claimed.attempt(), trainingAt(null, claimed.horizonDays()));
                });
    }

    @Scheduled(every = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void heartbeat() {
        if (held.isEmpty()) {
            return;
        }
        Map<UUID, Holding> holding = Map.copyOf(held);
        Map<UUID, Integer> attempts = new LinkedHashMap<>();
        holding.forEach((id, job) -> attempts.put(id, job.attempt));
        Set<UUID> alive = jobs.heartbeat(attempts).await().indefinitely();
        holding.forEach((id, job) -> {
            if (!alive.contains(id)) {
                job.claimedElsewhere = true; // or it has just finished: then nobody reads this any more
            }
        });
    }

    @PreDestroy
    void stop() {
        worker.shutdownNow();
    }

    /**
     * Writes progress at most once a second, and at every change of stage and at a stage's end; stops the run (throws
     * ClaimedElsewhere) once another replica claimed the job. A training reports storing just before it stores and
     * promotes its model: a run claimed before then promotes none.
     */
    private final class Reporter implements TrainingProgress {
        private final UUID id;
        private final Holding holding;
        private Stage stage;
        private long lastWrite;

        Reporter(UUID id, Holding holding) {
            this.id = id;
            this.holding = holding;
        }

        @Override
        public void report(Stage now, int done, int total) {
            if (holding.claimedElsewhere) {
                throw new ClaimedElsewhere(id);
            }
            long nanos = System.nanoTime();
            if (now != stage || done == total || nanos - lastWrite >= PROGRESS_EVERY.toNanos()) {
                stage = now;
                lastWrite = nanos;
                if (!jobs.progress(id, holding.attempt, now.key(), done, total).await().indefinitely()) {
                    holding.claimedElsewhere = true;
                    throw new ClaimedElsewhere(id);
                }
            }
        }
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("not serialisable: " + value, e);
        }
    }

    private static byte[] gzippedCsv(List<BatchScoreService.Row> rows) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes, 1 << 16)) {
            ScoresCsv.write(rows, gzip);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
