package io.memberpulse.identity;

import io.memberpulse.identity.domain.IdentityHealth;
import io.memberpulse.identity.store.IdentityRepository;
import io.memberpulse.identity.store.StoreHealthRepository;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

/**
 * Identity health per store and for the chain: REST on demand, and the four rates as Prometheus
 * gauges refreshed on a schedule: the chain's as memberpulse_identity_health{rate=...}, each store's
 * as memberpulse_identity_store_health{store=...,rate=...} (a separate name: Prometheus wants one
 * set of tag keys per metric).
 */
@ApplicationScoped
public class IdentityHealthService {
    private static final Map<String, ToDoubleFunction<IdentityHealth>> RATES = Map.of(
            "channel_coverage", IdentityHealth::channelCoverageRate,
            "member_identification", IdentityHealth::memberIdentificationRate,
            "order_match", IdentityHealth::orderMatchRate,
            "device_online", IdentityHealth::deviceOnlineRate);

    private final IdentityRepository repository;
    private final StoreHealthRepository stores;
    private final MultiGauge storeGauges;
    private final Duration onlineWindow;
    private final int storeGaugesMax;
    private final AtomicInteger ungaugedStores = new AtomicInteger();
    private final AtomicReference<IdentityHealth> overall = new AtomicReference<>(
            new IdentityHealth(null, 0, 0, 0, 0, 0, 0, 0));
    /** The gauges' refreshes take at most one part in this of the database's time. */
    static final int REFRESH_BUDGET = 10;
    private volatile long nextRefresh = System.nanoTime();

    public IdentityHealthService(IdentityRepository repository, StoreHealthRepository stores, IdentityConfig config,
            MeterRegistry registry) {
        this.repository = repository;
        this.stores = stores;
        this.onlineWindow = config.identity().deviceOnlineWindow();
        this.storeGaugesMax = config.identity().storeGaugesMax();
        RATES.forEach((rate, value) -> gauge(registry, rate, value));
        this.storeGauges = MultiGauge.builder("memberpulse.identity.store.health")
                .description("identity health rate of one store, 0..1").register(registry);
        Gauge.builder("memberpulse.identity.store.health.ungauged", ungaugedStores, AtomicInteger::get)
                .description("stores left without per-store gauges (beyond memberpulse.identity.store-gauges-max)")
                .register(registry);
    }

    /** Every store's health, in store order; refreshes the per-store gauges. */
    public Uni<List<IdentityHealth>> stores() {
        return stores.allStores(onlineWindow).invoke(all -> {
            List<IdentityHealth> gauged = gaugedStores(all, storeGaugesMax);
            ungaugedStores.set(all.size() - gauged.size());
            List<MultiGauge.Row<?>> rows = new ArrayList<>(gauged.size() * RATES.size());
            for (IdentityHealth health : gauged) {
                RATES.forEach((rate, value) -> rows.add(MultiGauge.Row.of(
                        Tags.of("store", health.storeId(), "rate", rate), value.applyAsDouble(health))));
            }
            storeGauges.register(rows, true);
        });
    }

    /** The stores given gauges: at most max, those with the most members (ties by store id). */
    static List<IdentityHealth> gaugedStores(List<IdentityHealth> all, int max) {
        if (all.size() <= max) {
            return all;
        }
        return all.stream().sorted(Comparator.comparingLong(IdentityHealth::members).reversed()
                .thenComparing(IdentityHealth::storeId)).limit(Math.max(0, max)).toList();
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

    /**
     * Refreshes the gauges, unless the last refresh ended too recently for its cost: both queries read
     * every event, so with millions stored one refresh takes minutes of a database core, and run every
     * minute they would take that core from imports for good. A refresh that took T waits at least
     * {@code (REFRESH_BUDGET - 1) * T} before the next; REST answers are always computed afresh.
     */
    @Scheduled(every = "${memberpulse.identity.health-refresh:60s}", delayed = "10s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refresh() {
        long started = System.nanoTime();
        if (started - nextRefresh < 0) {
            return Uni.createFrom().voidItem();
        }
        return health(null).chain(ignored -> stores())
                .onTermination().invoke(() -> {
                    long ended = System.nanoTime();
                    nextRefresh = ended + (ended - started) * (REFRESH_BUDGET - 1);
                })
                .replaceWithVoid().onFailure().recoverWithNull().replaceWithVoid();
    }

    private void gauge(MeterRegistry registry, String rate, ToDoubleFunction<IdentityHealth> value) {
        Gauge.builder("memberpulse.identity.health", overall, ref -> value.applyAsDouble(ref.get()))
                .tag("rate", rate).description("identity health rate of the chain, 0..1").register(registry);
    }
}
