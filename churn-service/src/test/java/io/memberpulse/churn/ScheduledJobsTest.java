package io.memberpulse.churn;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.devstack.testing.ScheduledJobChecks;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduler;
import io.quarkus.scheduler.common.runtime.util.SchedulerUtils;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/**
 * No periodic job of the service puts off its first run with {@code @Scheduled(delay = n)}, which counts minutes; the
 * nightly retraining follows the chain's calendar.
 */
@QuarkusTest
class ScheduledJobsTest {
    @Inject
    Scheduler scheduler;

    @Inject
    ChurnConfig config;

    @Test
    void noPeriodicJobPutsOffItsFirstRunByMinutes() {
        assertThat(ScheduledJobChecks.jobsDelayedByMinutes(scheduler)).isEmpty();
    }

    @Test
    void theNightlyRetrainingRunsAtNightInTheChainsCalendar() throws NoSuchMethodException {
        Scheduled retrain = RetrainSchedule.class.getDeclaredMethod("retrain", io.quarkus.scheduler.ScheduledExecution.class)
                .getAnnotation(Scheduled.class);
        // the zone the scheduler evaluates the cron in (the JVM's when none is given: UTC in the images)
        assertThat(SchedulerUtils.parseCronTimeZone(retrain)).isEqualTo(ZoneId.of(config.churn().dayZone()));
    }
}
