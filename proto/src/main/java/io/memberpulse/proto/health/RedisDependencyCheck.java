package io.memberpulse.proto.health;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.health.api.HealthGroup;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * Redis answers a PING: in the {@value DependencyChecks#GROUP} group, not readiness (see {@link DependencyChecks}). A
 * service that does not use Redis excludes it ({@code quarkus.arc.exclude-types}).
 */
@HealthGroup(DependencyChecks.GROUP)
@ApplicationScoped
public class RedisDependencyCheck implements AsyncHealthCheck {
    private final ReactiveRedisDataSource redis;

    public RedisDependencyCheck(ReactiveRedisDataSource redis) {
        this.redis = redis;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return redis.execute("PING")
                .ifNoItem().after(DependencyChecks.TIMEOUT).fail()
                .map(reply -> HealthCheckResponse.named("redis").up().build())
                .onFailure().recoverWithItem(failure -> HealthCheckResponse.named("redis").down()
                        .withData("reason", String.valueOf(failure.getMessage())).build());
    }
}
