package io.memberpulse.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.scheduler.Scheduler;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Every periodic job of the service runs within a couple of minutes of start. {@code @Scheduled(delay = 10)}
 * counts minutes, not seconds: relays, takeovers and escalations written that way sat idle for the first
 * 10 to 30 minutes of every pod's life.
 */
@QuarkusTest
class ScheduledJobsTest {
    @Inject
    Scheduler scheduler;

    @Test
    void everyPeriodicJobFiresSoonAfterStart() {
        Instant soon = Instant.now().plus(Duration.ofMinutes(2));
        assertThat(scheduler.getScheduledJobs()).isNotEmpty().allSatisfy(job -> assertThat(job.getNextFireTime())
                .as("next run of %s", job.getMethodDescription()).isNotNull().isBefore(soon));
    }
}
