package io.memberpulse.churn;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.devstack.testing.ScheduledJobChecks;
import io.quarkus.scheduler.Scheduler;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** No periodic job of the service puts off its first run with {@code @Scheduled(delay = n)}, which counts minutes. */
@QuarkusTest
class ScheduledJobsTest {
    @Inject
    Scheduler scheduler;

    @Test
    void noPeriodicJobPutsOffItsFirstRunByMinutes() {
        assertThat(ScheduledJobChecks.jobsDelayedByMinutes(scheduler)).isEmpty();
    }
}
