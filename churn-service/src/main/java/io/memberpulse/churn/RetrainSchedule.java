package io.memberpulse.churn;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Retraining on a schedule (memberpulse.churn.retrain-cron, "off" to disable): a new version from
 * every fact known at the event clock, intervention outcomes included, promoted only if it beats the
 * current model on the validation window. Too little data keeps the current model. Queued as a job, so
 * it never runs at the same time as training or batch scoring asked for on this replica, and shows in GET /jobs.
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

    @Scheduled(cron = "${memberpulse.churn.retrain-cron}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void retrain() {
        ChurnJob job = jobs.submitTraining(null, training.defaultHorizon());
        LOG.infof("scheduled retraining queued as job %s", job.id());
    }
}
