package io.memberpulse.rfm;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Runs asynchronous outputs one after the other, in the order they were queued, without the caller
 * waiting for them; at most {@code maxPending} are queued or running, a caller beyond that waits for
 * the oldest. An output that failed does not hold up the next: its own future reports the failure.
 */
final class OutputQueue {
    private final int maxPending;
    private final Deque<CompletableFuture<Void>> pending = new ArrayDeque<>();
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

    OutputQueue(int maxPending) {
        if (maxPending < 1) {
            throw new IllegalArgumentException("maxPending must be at least 1, was " + maxPending);
        }
        this.maxPending = maxPending;
    }

    /** Queues the output, started once every earlier one is done; completes as it does. May block (see above). */
    synchronized CompletableFuture<Void> enqueue(Supplier<? extends CompletionStage<Void>> output) {
        pending.removeIf(CompletableFuture::isDone);
        while (pending.size() >= maxPending) {
            pending.peekFirst().exceptionally(failure -> null).join();
            pending.removeIf(CompletableFuture::isDone);
        }
        CompletableFuture<Void> next = tail.exceptionally(failure -> null).thenCompose(ignored -> output.get());
        tail = next;
        pending.addLast(next);
        return next;
    }

    /** Waits until every output queued so far is done, failed or not. Blocking. */
    void drain() {
        CompletableFuture<Void> last;
        synchronized (this) {
            last = tail;
        }
        last.exceptionally(failure -> null).join();
    }
}
