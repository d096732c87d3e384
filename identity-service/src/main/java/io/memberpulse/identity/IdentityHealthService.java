package io.memberpulse.identity;

import io.memberpulse.identity.domain.IdentityHealth;
import io.memberpulse.identity.store.IdentityRepository;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

/**
 * Identity health per store and for the chain: REST on demand, and the chain's four rates as
 * Prometheus gauges refreshed on a schedule (memberpulse_identity_health{rate=...}).
 */
@ApplicationScoped
public class IdentityHealthService {
    private final IdentityRepository repository;
    private final Duration onlineWindow;
    private final AtomicReference<IdentityHealth> overall = new AtomicReference<>(
            new IdentityHealth(null, 0, 0, 0, 0, 0, 0, 0));

    public IdentityHealthService(IdentityRepository repository, IdentityConfig config, MeterRegistry registry) {
        this.repository = repository;
        this.onlineWindow = config.identity().deviceOnlineWindow();
        gauge(registry, "channel_coverage", IdentityHealth::channelCoverageRate);
        gauge(registry, "member_identification", IdentityHealth::memberIdentificationRate);
        gauge(registry, "order_match", IdentityHealth::orderMatchRate);
        gauge(registry, "device_online", IdentityHealth::deviceOnlineRate);
    }

    /** One store's health, or the chain's when storeId is null or blank. */
    public Uni<IdentityHealth> health(String storeId) {
        String store = storeId == null || storeId.isBlank() ? null : storeId;
        return repository.health(store, onlineWindow).invoke(health -> {
            if (store == null) {
                overall.set(health);
            }
        });
    }

    @Scheduled(every = "${memberpulse.identity.health-refresh:60s}", delay = 10,
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refresh() {
        return health(null).replaceWithVoid().onFailure().recoverWithNull().replaceWithVoid();
    }

    private void gauge(MeterRegistry registry, String rate, ToDoubleFunction<IdentityHealth> value) {
        Gauge.builder("memberpulse.identity.health", overall, ref -> value.applyAsDouble(ref.get()))
                .tag("rate", rate).description("identity health rate of the chain, 0..1").register(registry);
    }
}
