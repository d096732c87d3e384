package io.memberpulse.identity;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The writes of stitched batches, run one at a time in the order they were queued (the order the
 * batches were stitched), while the import stitches the next. A batch's write that fails leaves the
 * graph it was stitched on ahead of the database, holding that batch and every batch stitched on it
 * afterwards: their writes are refused, so nothing is stored that was linked against a batch that
 * is not; that graph must be rebuilt once no write is pending.
 */
final class WriteQueue {
    /** The last queued write (completed: none pending). */
    private CompletableFuture<?> last = CompletableFuture.completedFuture(null);
    /** The load of the graph ({@link StitchingGraph#generation}) whose batch failed to be written; 0: none. */
    private volatile long failed;

    /**
     * Queues the write of a batch stitched on {@code stitchedOn}: it runs on {@code executor} after
     * every write queued before it has ended, whether they succeeded or not, unless a write of a batch
     * stitched on the same graph failed.
     */
    synchronized <T> CompletableFuture<T> queue(long stitchedOn, Supplier<T> write, Executor executor) {
        CompletableFuture<T> written = last.handleAsync((ignored, earlierFailure) -> {
            if (failed == stitchedOn) {
                throw new IllegalStateException("not written: a batch stitched before this one failed to be written "
                        + "(its events may be imported again)");
            }
            try {
                return write.get();
            } catch (RuntimeException e) {
                failed = stitchedOn;
                throw e;
            }
        }, executor);
        last = written;
        return written;
    }

    /** Whether a batch stitched on this graph failed to be written (the graph is then ahead of the database). */
    boolean failedOn(long generation) {
        return generation != 0 && generation == failed;
    }

    /** Blocks until every write queued so far has ended (failures included). */
    void awaitAll() {
        CompletableFuture<?> pending;
        synchronized (this) {
            pending = last;
        }
        pending.handle((ignored, failure) -> null).join();
    }
}
