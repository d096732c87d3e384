package io.memberpulse.rfm;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.rfm.domain.ConfigurationHistory;
import io.memberpulse.rfm.domain.ConfiguredDefinitions;
import io.memberpulse.rfm.domain.DefaultSegments;
import io.memberpulse.rfm.domain.LifecycleRules;
import io.memberpulse.rfm.domain.MarginRates;
import io.memberpulse.rfm.store.RuleSegmentRepository;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The configured thresholds and lifecycle rules recorded at start (configured_definition_history), once per change. */
@QuarkusTest
class ConfiguredDefinitionsRecorderTest {
    @Inject
    RuleSegmentRepository repository;

    @Inject
    SegmentDefinitions segments;

    @Inject
    Pool pool;

    @Test
    void replicasStartingAtOnceRecordAChangedConfigurationOnceAndAnUnchangedOneNot() throws Exception {
        ConfiguredDefinitions running = segments.configuration();
        List<ConfigurationHistory.Version> before = repository.configurations().await().indefinitely();
        assertThat(before).isNotEmpty(); // this start's, or an earlier one's of the same configuration
        assertThat(before.get(before.size() - 1).definitions()).isEqualTo(running);
        long lastSeq = pool.query("SELECT max(seq) FROM configured_definition_history").execute().await().indefinitely()
                .iterator().next().getLong(0);
        LifecycleRules lifecycle = new LifecycleRules(200, 60, 6, 600);
        ConfiguredDefinitions other = new ConfiguredDefinitions(new DefaultSegments.Active(6, 7, 900),
                new DefaultSegments.Active(12, 3, 400), new DefaultSegments.Fading(20, 1, 200, 200), lifecycle,
                MarginRates.parse(0.25, "tobacco:0.08,dairy/infant-formula:0.12"));
        ExecutorService replicas = Executors.newFixedThreadPool(8);
        try {
            // another start with the same configuration records nothing
            assertThat(repository.recordConfiguration(running, Instant.now()).await().indefinitely()).isFalse();

            // eight replicas starting together with another configuration, the earliest clock long behind
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> starts = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Instant at = i == 0 ? Instant.EPOCH : Instant.now();
                starts.add(replicas.submit(() -> {
                    go.await();
                    return repository.recordConfiguration(other, at).await().indefinitely();
                }));
            }
            go.countDown();
            int recorded = 0;
            for (Future<Boolean> start : starts) {
                recorded += start.get() ? 1 : 0; // none fails
            }
            assertThat(recorded).isEqualTo(1);
            List<ConfigurationHistory.Version> after = repository.configurations().await().indefinitely();
            assertThat(after).hasSize(before.size() + 1);
            ConfigurationHistory.Version added = after.get(after.size() - 1);
            assertThat(added.definitions()).isEqualTo(other);
            // never begun before the version it follows, whatever the recording replica's clock
            assertThat(added.validFrom()).isAfterOrEqualTo(before.get(before.size() - 1).validFrom());

            // back to the running configuration: recorded again, as the last version differs
            assertThat(repository.recordConfiguration(running, Instant.now()).await().indefinitely()).isTrue();
            assertThat(repository.recordConfiguration(running, Instant.now()).await().indefinitely()).isFalse();

            // only the margin rates differ: a version too
            ConfiguredDefinitions otherRates = new ConfiguredDefinitions(running.highValueActive(), running.potential(),
                    running.churnEdge(), running.lifecycle(), MarginRates.uniform(running.marginRates().defaultRate() / 2));
            assertThat(repository.recordConfiguration(otherRates, Instant.now()).await().indefinitely()).isTrue();
            List<ConfigurationHistory.Version> withRates = repository.configurations().await().indefinitely();
            assertThat(withRates.get(withRates.size() - 1).definitions()).isEqualTo(otherRates);

            // the last version recorded by the release before the rates were (NULL rates; its thresholds and lifecycle
            // rules the running ones): the running configuration is recorded, rates and all
            pool.query("UPDATE configured_definition_history SET default_margin_rate = NULL, category_margin_rates = NULL"
                    + " WHERE seq = (SELECT max(seq) FROM configured_definition_history)").execute().await().indefinitely();
            assertThat(repository.recordConfiguration(running, Instant.now()).await().indefinitely()).isTrue();
        } finally {
            replicas.shutdownNow();
            pool.preparedQuery("DELETE FROM configured_definition_history WHERE seq > $1").execute(Tuple.of(lastSeq))
                    .await().indefinitely();
            segments.reloadConfigurations(); // as cached by a reload meanwhile
        }
    }
}
