package io.memberpulse.rfm;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.rfm.domain.ConfigurationHistory;
import io.memberpulse.rfm.domain.rules.DefinedSegment;
import io.memberpulse.rfm.store.RuleSegmentRepository;
import io.memberpulse.rfm.testdata.TestConfig;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The poll for rules defined on other replicas never swaps out a rule this replica defined meanwhile. */
class SegmentDefinitionsReloadTest {

    /** The stored rules; a read can be made to run something while it is under way. */
    static final class StoredRules extends RuleSegmentRepository {
        final List<StoredRule> rules = new ArrayList<>();
        final List<StoredThresholds> thresholds = new ArrayList<>();
        volatile long version;
        Supplier<List<StoredRule>> read = () -> List.copyOf(rules);

        StoredRules() {
            super(null);
        }

        @Override
        public Uni<Long> version() {
            return Uni.createFrom().item(version);
        }

        @Override
        public Uni<List<StoredRule>> all() {
            return Uni.createFrom().item(read);
        }

        @Override
        public Uni<List<StoredThresholds>> thresholds() {
            return Uni.createFrom().item(List.copyOf(thresholds));
        }

        @Override
        public Uni<List<ConfigurationHistory.Version>> configurations() {
            return Uni.createFrom().item(List.of());
        }
    }

    @Test
    void aRuleDefinedWhileTheReloadReadsTheStoreIsKept() throws InterruptedException {
        StoredRules store = new StoredRules();
        SegmentDefinitions segments = new SegmentDefinitions(config(), store);
        assertThat(segments.all()).isEmpty();

        // While the poll reads the store (before the new rule is in it), a request defines a rule:
        // DefineSegmentService.define stores it (raising the version), then reloads.
        String expression = "frequency_30d >= 1";
        Thread define = new Thread(() -> {
            store.rules.add(new RuleSegmentRepository.StoredRule("weekly", "Weekly", expression));
            store.version++;
            segments.reload();
        });
        Supplier<List<RuleSegmentRepository.StoredRule>> stored = store.read;
        store.read = () -> {
            List<RuleSegmentRepository.StoredRule> stale = List.copyOf(store.rules);
            store.read = stored;
            define.start();
            // Either its reload waits for the poll (one at a time), or it is done before the poll swaps in what it read.
            awaitBlockedOrDone(define);
            return stale;
        };
        segments.reload();
        define.join(10_000);

        assertThat(define.isAlive()).isFalse();
        assertThat(segments.all()).extracting(DefinedSegment::id).containsExactly("weekly");
        assertThat(segments.inForce().version()).isEqualTo(1);
    }

    @Test
    void aNewVersionWithTheSameDefinitionsIsTakenUpWithoutCompilingAgain() {
        StoredRules store = new StoredRules();
        store.rules.add(new RuleSegmentRepository.StoredRule("weekly", "Weekly", "frequency_30d >= 1"));
        SegmentDefinitions segments = new SegmentDefinitions(config(), store);
        DefinedSegment weekly = segments.all().get(0);
        assertThat(segments.inForce().version()).isZero();

        store.version = 7; // changed and changed back meanwhile
        segments.reload();
        assertThat(segments.inForce().version()).isEqualTo(7);
        assertThat(segments.all()).containsExactly(weekly);
    }

    @Test
    void storedThresholdsTheConfigurationHasSinceMadeInvalidAreSkippedNotFatal() {
        StoredRules store = new StoredRules();
        // Stored when dormant-days was higher; the configured lifecycle now calls members dormant at 180 days.
        store.thresholds.add(new RuleSegmentRepository.StoredThresholds("churn-edge", 200, 1, 200));
        store.thresholds.add(new RuleSegmentRepository.StoredThresholds("potential", 10, 2, 300));
        SegmentDefinitions segments = new SegmentDefinitions(config(), store);
        assertThat(segments.defaults().rules()).extracting(rule -> rule.description()).containsExactly(
                "R <= 6d and wF30 >= 5 and M30 >= 700", "R <= 10d and wF30 >= 2 and M30 >= 300 and not high-value-active",
                "R >= 20d and R < 180d and wF30 <= 1 and M30 <= 200");
    }

    static void awaitBlockedOrDone(Thread thread) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (thread.getState() != Thread.State.BLOCKED && thread.getState() != Thread.State.TERMINATED
                && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    /** The service's configuration, with the thresholds these tests name set here whatever the shipped ones become. */
    static RfmConfig config() {
        return TestConfig.rfm(Map.of(
                "memberpulse.rfm.segments.high-value-active.max-recency-days", "6",
                "memberpulse.rfm.segments.high-value-active.min-orders-30d", "5",
                "memberpulse.rfm.segments.high-value-active.min-monetary-30d", "700",
                "memberpulse.rfm.segments.churn-edge.min-recency-days", "20",
                "memberpulse.rfm.segments.churn-edge.max-orders-30d", "1",
                "memberpulse.rfm.segments.churn-edge.max-monetary-30d", "200",
                "memberpulse.rfm.lifecycle.dormant-days", "180"));
    }
}
