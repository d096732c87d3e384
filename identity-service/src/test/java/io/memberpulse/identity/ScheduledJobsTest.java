package io.memberpulse.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduler;
import io.quarkus.scheduler.Trigger;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.lang.reflect.Method;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * No periodic job of the service holds back its first run with {@code @Scheduled(delay = n)}, which counts
 * minutes unless a unit is given: relays, the standby's takeover and escalations written that way sat idle for
 * the first 10 to 30 minutes of every pod's life. A first run is put off with {@code delayed = "10s"}.
 */
@QuarkusTest
class ScheduledJobsTest {
    @Inject
    Scheduler scheduler;

    @Test
    void noPeriodicJobPutsOffItsFirstRunByMinutes() {
        assertThat(scheduler.getScheduledJobs()).isNotEmpty().allSatisfy(job -> assertThat(annotationOf(job).delay())
                .as("@Scheduled(delay) of %s", job.getMethodDescription()).isZero());
    }

    private static Scheduled annotationOf(Trigger job) throws ClassNotFoundException {
        String[] method = job.getMethodDescription().split("#");
        Class<?> owner = Class.forName(method[0], false, Thread.currentThread().getContextClassLoader());
        return Arrays.stream(owner.getDeclaredMethods()).filter(m -> m.getName().equals(method[1]))
                .map((Method m) -> m.getAnnotation(Scheduled.class)).filter(a -> a != null).findFirst().orElseThrow();
    }
}
