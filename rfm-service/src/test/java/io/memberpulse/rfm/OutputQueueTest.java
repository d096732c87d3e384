package io.memberpulse.rfm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OutputQueueTest {

    @Test
    void anOutputStartsOnlyWhenTheEarlierOneIsDoneSoTheyGoOutInOrder() {
        OutputQueue queue = new OutputQueue(4);
        List<String> started = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> first = new CompletableFuture<>();
        CompletableFuture<Void> firstDone = queue.enqueue(() -> {
            started.add("first");
            return first;
        });
        CompletableFuture<Void> secondDone = queue.enqueue(() -> {
            started.add("second");
            return CompletableFuture.completedFuture(null);
        });

        assertThat(started).containsExactly("first");
        assertThat(secondDone).isNotDone();

        first.complete(null);
        assertThat(secondDone).succeedsWithin(1, TimeUnit.SECONDS);
        assertThat(firstDone).isDone();
        assertThat(started).containsExactly("first", "second");
    }

    @Test
    void aFailedOutputReportsItsFailureAndDoesNotHoldUpTheNext() {
        OutputQueue queue = new OutputQueue(4);
        CompletableFuture<Void> failed = queue.enqueue(() -> CompletableFuture.failedFuture(new IllegalStateException("broker down")));
        CompletableFuture<Void> next = queue.enqueue(() -> CompletableFuture.completedFuture(null));

        assertThatThrownBy(failed::join).isInstanceOf(CompletionException.class).hasRootCauseMessage("broker down");
        assertThat(next).succeedsWithin(1, TimeUnit.SECONDS);
        queue.drain(); // returns although an output failed
    }

    @Test
    void aCallerBeyondTheBoundWaitsForTheOldestOutput() throws Exception {
        OutputQueue queue = new OutputQueue(1);
        CompletableFuture<Void> first = new CompletableFuture<>();
        queue.enqueue(() -> first);
        CompletableFuture<Void> queuedSecond = CompletableFuture.runAsync(
                () -> queue.enqueue(() -> CompletableFuture.completedFuture(null)));

        Thread.sleep(200);
        assertThat(queuedSecond).as("blocked while the first output is pending").isNotDone();
        first.complete(null);
        assertThat(queuedSecond).succeedsWithin(1, TimeUnit.SECONDS);
    }

    @Test
    void drainWaitsForEveryQueuedOutput() {
        OutputQueue queue = new OutputQueue(4);
        CompletableFuture<Void> slow = new CompletableFuture<>();
        queue.enqueue(() -> slow);
        CompletableFuture<Void> drained = CompletableFuture.runAsync(queue::drain);

        assertThat(drained).isNotDone();
        slow.complete(null);
        assertThat(drained).succeedsWithin(1, TimeUnit.SECONDS);
    }

    @Test
    void aQueueWithoutRoomIsRefused() {
        assertThatThrownBy(() -> new OutputQueue(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxPending");
    }
}
