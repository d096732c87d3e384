package io.memberpulse.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WriteQueueTest {
    final ExecutorService executor = Executors.newFixedThreadPool(3); // several threads: the order must not come from the executor
    final WriteQueue queue = new WriteQueue();
    final List<String> written = new CopyOnWriteArrayList<>();

    static final AtomicLong LOADS = new AtomicLong();

    /** A new load of the graph, as StitchingGraph numbers them. */
    static long graph() {
        return LOADS.incrementAndGet();
    }

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    CompletableFuture<String> write(long on, String batch, CountDownLatch wait) {
        return queue.queue(on, () -> {
            try {
                wait.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            written.add(batch);
            return batch;
        }, executor);
    }

    @Test
    void writesRunOneAtATimeInTheOrderQueued() {
        long graph = graph();
        CountDownLatch first = new CountDownLatch(1);
        CompletableFuture<String> a = write(graph, "a", first);
        CompletableFuture<String> b = write(graph, "b", new CountDownLatch(0));
        CompletableFuture<String> c = write(graph, "c", new CountDownLatch(0));
        assertThat(b).isNotDone(); // waits for a, however free the executor is
        first.countDown();
        assertThat(List.of(a.join(), b.join(), c.join())).containsExactly("a", "b", "c");
        assertThat(written).containsExactly("a", "b", "c");
    }

    @Test
    void aFailedWriteRefusesTheWritesStitchedAfterItOnTheSameGraphOnly() {
        long stale = graph();
        CompletableFuture<String> failing = queue.queue(stale, () -> {
            throw new IllegalStateException("connection lost");
        }, executor);
        CompletableFuture<String> next = write(stale, "stitched on the failed batch", new CountDownLatch(0));
        long rebuilt = graph();
        CompletableFuture<String> afterRebuild = write(rebuilt, "stitched on the rebuilt graph", new CountDownLatch(0));

        assertThatThrownBy(failing::join).isInstanceOf(CompletionException.class).hasRootCauseMessage("connection lost");
        assertThatThrownBy(next::join).isInstanceOf(CompletionException.class).hasMessageContaining("not written");
        assertThat(afterRebuild.join()).isEqualTo("stitched on the rebuilt graph");
        assertThat(written).containsExactly("stitched on the rebuilt graph");
        assertThat(queue.failedOn(stale)).isTrue();
        assertThat(queue.failedOn(rebuilt)).isFalse();
    }

    @Test
    void awaitAllReturnsOnceEveryQueuedWriteEndedFailuresIncluded() {
        long graph = graph();
        CountDownLatch hold = new CountDownLatch(1);
        CompletableFuture<String> slow = write(graph, "slow", hold);
        queue.queue(graph, () -> {
            throw new IllegalStateException("refused");
        }, executor);
        CompletableFuture<Void> awaited = CompletableFuture.runAsync(queue::awaitAll);
        assertThat(awaited).isNotDone();
        hold.countDown();
        awaited.join();
        assertThat(slow).isCompleted();
        assertThat(written).containsExactly("slow");
    }
}
