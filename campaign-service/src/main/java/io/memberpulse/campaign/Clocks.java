package io.memberpulse.campaign;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Singleton;
import jakarta.enterprise.inject.Produces;
import java.time.Clock;

/**
 * The service's one source of "now" (task creation, due times, escalation, outcomes, reviews), so
 * that a test can run a simulated month in its own time instead of waiting for real hours to pass.
 */
@ApplicationScoped
class Clocks {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }
}
