package io.memberpulse.churn;

import io.memberpulse.churn.domain.NotEnoughDataException;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Retraining on a schedule (memberpulse.churn.retrain-cron, "off" to disable): a new version from
 * every fact known at the event clock, intervention outcomes included, promoted only if it beats the
 * current model on the validation window. Too little data keeps the current model.
 */
@ApplicationScoped
class RetrainSchedule {
    private static final Logger LOG = Logger.getLogger(RetrainSchedule.class);

    private final TrainModelService training;

    RetrainSchedule(TrainModelService training) {
        this.training = training;
    }

    @Scheduled(cron = "${memberpulse.churn.retrain-cron}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void retrain() {
        try {
            TrainModelService.Outcome outcome = training.train(null, training.defaultHorizon());
            LOG.infof("scheduled retraining: %s %s", outcome.version(), outcome.decision());
        } catch (NotEnoughDataException e) {
            LOG.warnf("scheduled retraining skipped, the current model stays: %s", e.getMessage());
        }
    }
}
