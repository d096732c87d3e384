package io.memberpulse.identity.api.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memberpulse.identity.NotWriterException;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** How a poll's import is retried: waiting to be the writer does not use up the retries of ordinary failures. */
class ChannelEventConsumerRetryTest {
    private static final Duration WINDOW = Duration.ofSeconds(1);
    private static final Duration AT_MOST = Duration.ofSeconds(30);

    @Test
    void aFailureRightAfterWaitingLongerThanTheWindowToBeTheWriterIsStillRetried() {
        long start = System.nanoTime();
        AtomicInteger ordinaryFailures = new AtomicInteger();
        Uni<String> importing = Uni.createFrom().item(() -> {
            if (System.nanoTime() - start < WINDOW.multipliedBy(2).toNanos()) {
                throw new NotWriterException("another instance is the writer");
            }
            if (ordinaryFailures.getAndIncrement() == 0) {
                // as WriteQueue refuses a batch queued after a write that failed when the lock was lost
                throw new IllegalStateException("not written: a batch stitched before this one failed to be written");
            }
            return "imported";
        });

        assertThat(ChannelEventConsumer.retriedAsWriter(importing, WINDOW).await().atMost(AT_MOST)).isEqualTo("imported");
        assertThat(ordinaryFailures).hasValue(2);
    }

    @Test
    void theWindowStartsAgainWhenTheWriterLockWasLostWhileRetrying() {
        long start = System.nanoTime();
        AtomicInteger attempts = new AtomicInteger();
        AtomicInteger failuresAsWriterAgain = new AtomicInteger();
        Uni<String> importing = Uni.createFrom().item(() -> {
            if (attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("database away");
            }
            if (System.nanoTime() - start < WINDOW.multipliedBy(2).toNanos()) {
                throw new NotWriterException("the writer lock was lost");
            }
            if (failuresAsWriterAgain.getAndIncrement() == 0) {
                throw new IllegalStateException("database away again");
            }
            return "imported";
        });

        assertThat(ChannelEventConsumer.retriedAsWriter(importing, WINDOW).await().atMost(AT_MOST)).isEqualTo("imported");
    }

    @Test
    void aBatchThatKeepsFailingAsTheWriterFailsOnceTheWindowHasPassed() {
        long start = System.nanoTime();
        Uni<String> importing = Uni.createFrom().item(() -> {
            throw new IllegalStateException("refused by every write");
        });

        assertThatThrownBy(() -> ChannelEventConsumer.retriedAsWriter(importing, WINDOW).await().atMost(AT_MOST))
                .hasRootCauseMessage("refused by every write");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(WINDOW.multipliedBy(5));
    }

    @Test
    void aStandbyWaitsToBeTheWriterBeyondTheWindow() {
        long start = System.nanoTime();
        Uni<String> importing = Uni.createFrom().item(() -> {
            if (System.nanoTime() - start < WINDOW.multipliedBy(3).toNanos()) {
                throw new NotWriterException("another instance is the writer");
            }
            return "imported";
        });

        assertThat(ChannelEventConsumer.retriedAsWriter(importing, WINDOW).await().atMost(AT_MOST)).isEqualTo("imported");
    }
}
