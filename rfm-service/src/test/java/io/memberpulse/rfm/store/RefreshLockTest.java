package io.memberpulse.rfm.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Only one replica re-ages at a time: another session holding the lock makes this one skip. */
@QuarkusTest
class RefreshLockTest {
    @Inject
    RefreshLock lock;

    @Inject
    Pool pool;

    @Test
    void theWorkRunsOnlyWhenNoOtherSessionHoldsTheLock() {
        AtomicInteger runs = new AtomicInteger();
        var otherReplica = pool.getConnection().await().indefinitely();
        try {
            assertThat(otherReplica.preparedQuery("SELECT pg_try_advisory_lock($1)").execute(Tuple.of(RefreshLock.KEY))
                    .await().indefinitely().iterator().next().getBoolean(0)).isTrue();
            assertThat(lock.runIfFree(runs::incrementAndGet)).isFalse();
            assertThat(runs).hasValue(0);
            otherReplica.preparedQuery("SELECT pg_advisory_unlock($1)").execute(Tuple.of(RefreshLock.KEY)).await().indefinitely();
        } finally {
            otherReplica.close().await().indefinitely();
        }
        assertThat(lock.runIfFree(runs::incrementAndGet)).isTrue();
        assertThat(lock.runIfFree(runs::incrementAndGet)).as("released after the work").isTrue();
        assertThat(runs).hasValue(2);
    }
}
