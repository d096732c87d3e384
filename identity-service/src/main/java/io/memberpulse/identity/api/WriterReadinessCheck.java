package io.memberpulse.identity.api;

import io.memberpulse.identity.SingleWriter;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only as the writer: a second instance must not take imports (see {@link SingleWriter}). */
@Readiness
@ApplicationScoped
public class WriterReadinessCheck implements HealthCheck {
    private final SingleWriter writer;

    public WriterReadinessCheck(SingleWriter writer) {
        this.writer = writer;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("identity-writer-lock");
        return writer.isWriter() ? response.up().build()
                : response.down().withData("reason", writer.reason()).build();
    }
}
