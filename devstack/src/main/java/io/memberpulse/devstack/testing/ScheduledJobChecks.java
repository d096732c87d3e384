package io.memberpulse.devstack.testing;

import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduler;
import io.quarkus.scheduler.Trigger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Checks every service's periodic jobs the same way. {@code @Scheduled(delay = n)} counts minutes unless a unit is
 * given: relays, the standby's takeover and escalations written that way sat idle for the first 10 to 30 minutes of
 * every pod's life. A first run is put off with {@code delayed = "10s"}.
 */
public final class ScheduledJobChecks {
    private ScheduledJobChecks() {
    }

    /**
     * The jobs (as {@code Class#method}) that put off their first run with {@code delay}; empty when none does.
     *
     * @throws IllegalStateException when the scheduler holds no job at all (the check would pass on nothing)
     */
    public static List<String> jobsDelayedByMinutes(Scheduler scheduler) {
        List<Trigger> jobs = scheduler.getScheduledJobs();
        if (jobs.isEmpty()) {
            throw new IllegalStateException("the scheduler holds no job: nothing to check");
        }
        List<String> offending = new ArrayList<>();
        for (Trigger job : jobs) {
            if (annotationOf(job).delay() != 0) {
                offending.add(job.getMethodDescription());
            }
        }
        return offending;
    }

    private static Scheduled annotationOf(Trigger job) {
        String[] method = job.getMethodDescription().split("#");
        try {
            Class<?> owner = Class.forName(method[0], false, Thread.currentThread().getContextClassLoader());
            return Arrays.stream(owner.getDeclaredMethods()).filter(m -> m.getName().equals(method[1]))
                    .map(m -> m.getAnnotation(Scheduled.class)).filter(a -> a != null).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no @Scheduled on " + job.getMethodDescription()));
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("cannot load the owner of " + job.getMethodDescription(), e);
        }
    }
}
