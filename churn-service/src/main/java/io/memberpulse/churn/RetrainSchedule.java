package io.memberpulse.churn;

import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Retraining on a schedule (memberpulse.churn.retrain-cron, "off" to disable): a new version from
 * every fact known at the event clock, intervention outcomes included, promoted only if it beats the
 * current model on the validation window. Too little data keeps the current model. Queued as a job, so
 * it never runs at the same time as training or batch scoring asked for on this replica, and shows in GET /jobs;
 * with several replicas, one of them runs it (the cron instant is claimed in churn_job).
 */
@ApplicationScoped
class RetrainSchedule {
    private static final Logger LOG = Logger.getLogger(RetrainSchedule.class);

    private final ChurnJobs jobs;
    private final TrainModelService training;

    RetrainSchedule(ChurnJobs jobs, TrainModelService training) {
        this.jobs = jobs;
        this.training = training;
    }

    /** Nightly in the chain's calendar (day-zone), not the JVM's zone: pods run in UTC. */
    @Scheduled(cron = "${memberpulse.churn.retrain-cron}", timeZone = "${memberpulse.churn.day-zone:Asia/Shanghai}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void retrain(ScheduledExecution execution) {
        retrainFor(execution.getScheduledFireTime());
    }

    /** Every replica fires at the same cron instant; the first to record it runs the retraining. */
    Optional<ChurnJob> retrainFor(Instant fireTime) {
        Instant slot = fireTime.truncatedTo(ChronoUnit.SECONDS);
        Optional<ChurnJob> job = jobs.submitScheduledTraining(slot, training.defaultHorizon());
        if (job.isPresent()) {
            LOG.infof("scheduled retraining for %s queued as job %s", slot, job.get().id());
        } else {
            LOG.infof("scheduled retraining for %s: another replica runs it", slot);
        }
        return job;
    }
}
