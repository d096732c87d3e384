package io.memberpulse.campaign.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.campaign.domain.CallTask;
import io.memberpulse.campaign.testdata.ChurnEvents;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** On the real Redis of the test resources. */
@QuarkusTest
class CallListCacheTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    @Inject
    CallListCache cache;

    private static final LocalDate TODAY = LocalDate.of(2026, 12, 6);

    private static CallListCache.Entry entry(CallTask... tasks) {
        return new CallListCache.Entry(TODAY, 7, List.of(tasks));
    }

    private static CallTask task(String id) {
        return new CallTask(id, "m-" + id, "s", null, 0.8, 100.0, 80.0, NOW, NOW.plus(72, ChronoUnit.HOURS), 3);
    }

    @Test
    void aListPutAfterAMissIsReadBackWhole() {
        String store = "c-" + ChurnEvents.run();
        CallListCache.Lookup miss = cache.get(store).await().atMost(WAIT);
        assertThat(miss.entry()).isEmpty();

        cache.put(store, miss, entry(task("a"), task("b"))).await().atMost(WAIT);

        assertThat(cache.get(store).await().atMost(WAIT).entry()).hasValueSatisfying(found -> {
            assertThat(found.tasks()).extracting(CallTask::taskId).containsExactly("a", "b");
            assertThat(found.tasks().get(0)).isEqualTo(task("a"));
            assertThat(found.day()).isEqualTo(TODAY);
            assertThat(found.callsMade()).isEqualTo(7);
        });
    }

    @Test
    void anInvalidatedListIsGone() {
        String store = "c-" + ChurnEvents.run();
        cache.put(store, cache.get(store).await().atMost(WAIT), entry(task("a"))).await().atMost(WAIT);

        cache.invalidate(Set.of(store)).await().atMost(WAIT);

        assertThat(cache.get(store).await().atMost(WAIT).entry()).isEmpty();
    }

    @Test
    void aListLoadedBeforeAnInvalidationIsNotCachedAfterIt() {
        String store = "c-" + ChurnEvents.run();
        CallListCache.Lookup before = cache.get(store).await().atMost(WAIT);
        // A consumer commits a change to the store while this reader loads the old list.
        cache.invalidate(Set.of(store)).await().atMost(WAIT);

        cache.put(store, before, entry(task("stale"))).await().atMost(WAIT);

        CallListCache.Lookup after = cache.get(store).await().atMost(WAIT);
        assertThat(after.entry()).isEmpty();
        cache.put(store, after, entry(task("fresh"))).await().atMost(WAIT);
        assertThat(cache.get(store).await().atMost(WAIT).entry()).hasValueSatisfying(
                found -> assertThat(found.tasks()).extracting(CallTask::taskId).containsExactly("fresh"));
    }
}
