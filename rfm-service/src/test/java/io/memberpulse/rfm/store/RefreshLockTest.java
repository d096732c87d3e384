package io.memberpulse.rfm.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Only one replica re-ages at a time: another session holding the lock makes this one skip. */
@QuarkusTest
class RefreshLockTest {
    static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    RefreshLock lock;

    @Inject
    Pool pool;

    @Test
    void theWorkRunsOnlyWhenNoOtherSessionHoldsTheLock() {
        AtomicInteger runs = new AtomicInteger();
        var otherReplica = pool.getConnection().await().indefinitely();
        try {
            // This service's own clock re-ages under the same lock every second: the other replica waits its turn.
            await().atMost(WAIT).until(() -> otherReplica.preparedQuery("SELECT pg_try_advisory_lock($1)")
                    .execute(Tuple.of(RefreshLock.KEY)).await().indefinitely().iterator().next().getBoolean(0));
            assertThat(lock.runIfFree(runs::incrementAndGet)).isFalse();
            assertThat(runs).hasValue(0);
            otherReplica.preparedQuery("SELECT pg_advisory_unlock($1)").execute(Tuple.of(RefreshLock.KEY)).await().indefinitely();
        } finally {
            otherReplica.close().await().indefinitely();
        }
        // Free again (once a re-ageing the clock may have started meanwhile is done), and released after the work.
        await().atMost(WAIT).until(() -> lock.runIfFree(runs::incrementAndGet));
        await("released after the work").atMost(WAIT).until(() -> lock.runIfFree(runs::incrementAndGet));
        assertThat(runs).hasValue(2);
    }
}
