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
 * client or an ingress waits on one request.
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
    private final Set<UUID> held = ConcurrentHashMap.newKeySet();
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
        return queue(id, trainingAt(asOf, horizonDays));
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
        return taken ? Optional.of(queue(id, trainingAt(null, horizonDays))) : Optional.empty();
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
        return queue(id, progress -> {
            BatchScoreService.Batch batch = batchScoring.score(asOf, horizonDays, progress);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("membersScored", batch.rows().size());
            result.put("model", batch.kind());
            result.put("basis", batch.basis());
            return new Finished(write(result), gzippedCsv(batch.rows()));
        });
    }

    public Optional<ChurnJob> find(UUID id) {
        return jobs.find(id).await().indefinitely().map(stored -> ChurnJob.of(stored, Instant.now(), LOST_AFTER));
    }

    public List<ChurnJob> recent(int limit) {
        Instant now = Instant.now();
        return jobs.recent(limit).await().indefinitely().stream().map(stored -> ChurnJob.of(stored, now, LOST_AFTER))
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

    /**
     * Runs a recorded job on this replica's worker, after the jobs queued before it; forgets old jobs. The job
     * is answered as queued, read before the worker may start it (a quick failure could otherwise be answered).
     */
    private ChurnJob queue(UUID id, Work work) {
        jobs.deleteFinishedBefore(Instant.now().minus(KEPT_FOR)).await().indefinitely();
        ChurnJob queued = find(id).orElseThrow();
        held.add(id);
        worker.submit(() -> execute(id, work));
        return queued;
    }

    private void execute(UUID id, Work work) {
        try {
            jobs.started(id, Instant.now()).await().indefinitely();
            Reporter reporter = new Reporter(id);
            // A run reads the facts as stored: first let the consumers store every one published before it.
            facts.awaitCaughtUp((consumed, behind) -> {
                if (behind > 0) {
                    reporter.report(TrainingProgress.Stage.AWAITING_FACTS, (int) Math.min(consumed, Integer.MAX_VALUE),
                            (int) Math.min(behind, Integer.MAX_VALUE));
                }
            });
            Finished finished = work.run(reporter);
            jobs.succeeded(id, finished.result(), finished.scoresCsvGz(), Instant.now()).await().indefinitely();
        } catch (NotEnoughDataException | LabelOutageException e) {
            fail(id, 409, e.getMessage());
        } catch (NotEnoughMemoryException | FactsBehindException e) {
            fail(id, 503, e.getMessage());
        } catch (InvalidInputException e) {
            fail(id, 400, e.field() + ": " + e.getMessage());
        } catch (RuntimeException | Error e) {
            LOG.errorf(e, "job %s failed", id);
            fail(id, 500, "internal error: " + e);
        } finally {
            held.remove(id);
        }
    }

    private void fail(UUID id, int status, String detail) {
        LOG.warnf("job %s failed (%d): %s", id, status, detail);
        jobs.failed(id, status, detail, Instant.now()).await().indefinitely();
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
        return jobs.claimLostScheduled(now.minus(LOST_AFTER), now.minus(RESUMED_WITHIN), now, MAX_ATTEMPTS)
                .await().indefinitely().map(claimed -> {
                    LOG.warnf("scheduled retraining %s lost by its replica: run again here (attempt %d of %d)",
                            claimed.id(), claimed.attempt(), MAX_ATTEMPTS);
                    return queue(claimed.id(), trainingAt(null, claimed.horizonDays()));
                });
    }

    @Scheduled(every = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void heartbeat() {
        if (!held.isEmpty()) {
            jobs.heartbeat(Set.copyOf(held), Instant.now()).await().indefinitely();
        }
    }

    @PreDestroy
    void stop() {
        worker.shutdownNow();
    }

    /** Writes progress at most once a second, and at every change of stage and at a stage's end. */
    private final class Reporter implements TrainingProgress {
        private final UUID id;
        private Stage stage;
        private long lastWrite;

        Reporter(UUID id) {
            this.id = id;
        }

        @Override
        public void report(Stage now, int done, int total) {
            long nanos = System.nanoTime();
            if (now != stage || done == total || nanos - lastWrite >= PROGRESS_EVERY.toNanos()) {
                stage = now;
                lastWrite = nanos;
                jobs.progress(id, now.key(), done, total, Instant.now()).await().indefinitely();
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
