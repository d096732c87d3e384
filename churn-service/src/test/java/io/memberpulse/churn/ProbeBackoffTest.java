package io.memberpulse.churn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProbeBackoffTest {
    private static final Duration FIRST = Duration.ofSeconds(10);
    private static final Duration MAX = Duration.ofMinutes(2);

    /** A clock the test moves. */
    private long now = 1_000_000_000L;
    private final ProbeBackoff backoff = new ProbeBackoff(FIRST, MAX, () -> now);

    @Test
    void theFirstTryIsDueAtOnce() {
        assertThat(backoff.due()).isTrue();
    }

    @Test
    void eachFailedTryInARowDoublesTheWaitUpToTheMax() {
        List<Duration> waits = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            Duration wait = backoff.failed();
            waits.add(wait);
            advance(wait.minusMillis(1));
            assertThat(backoff.due()).as("1 ms before the wait of %s has passed", wait).isFalse();
            advance(Duration.ofMillis(1));
            assertThat(backoff.due()).as("once the wait of %s has passed", wait).isTrue();
        }
        assertThat(waits).containsExactly(FIRST, FIRST.multipliedBy(2), FIRST.multipliedBy(4), FIRST.multipliedBy(8),
                MAX, MAX, MAX);
    }

    @Test
    void theWaitCountsFromTheEndOfTheFailedTryAndStaysDueUntilTried() {
        backoff.failed();
        advance(Duration.ofMinutes(30));
        assertThat(backoff.due()).isTrue();
        assertThat(backoff.due()).as("asking does not try").isTrue();
        assertThat(backoff.failed()).isEqualTo(FIRST.multipliedBy(2));
        advance(Duration.ofSeconds(19));
        assertThat(backoff.due()).isFalse();
    }

    @Test
    void aTryThatGoesThroughStartsOver() {
        backoff.failed();
        backoff.failed();
        backoff.failed();
        backoff.succeeded();
        assertThat(backoff.due()).as("the first try of the next outage").isTrue();
        assertThat(backoff.failed()).isEqualTo(FIRST);
        advance(FIRST);
        assertThat(backoff.due()).isTrue();
    }

    @Test
    void theBrokerIsAwayFromAFailedSendUntilATryGoesThrough() {
        assertThat(backoff.failing()).as("before any send failed").isFalse();
        backoff.failed();
        assertThat(backoff.failing()).as("after a failed try").isTrue();
        backoff.succeeded();
        assertThat(backoff.failing()).as("after a try that went through").isFalse();
        backoff.wentAway();
        assertThat(backoff.failing()).as("after a scoring's send failed").isTrue();
        backoff.succeeded();
        assertThat(backoff.failing()).isFalse();
    }

    @Test
    void aScoringsFailedSendMakesTheFirstTryDueAtOnceAndTheWaitsStartFromTheFirst() {
        backoff.wentAway();
        assertThat(backoff.due()).as("the first try after the broker went away").isTrue();
        assertThat(backoff.failed()).isEqualTo(FIRST);
        assertThat(backoff.due()).isFalse();
        advance(FIRST);
        assertThat(backoff.due()).isTrue();
    }

    @Test
    void aScoringsFailedSendWhileAwayKeepsTheWait() {
        backoff.failed();
        backoff.failed();
        backoff.wentAway();
        assertThat(backoff.due()).as("still waiting the second wait").isFalse();
        assertThat(backoff.failed()).isEqualTo(FIRST.multipliedBy(4));
    }

    @Test
    void aFirstWaitLongerThanTheMaxWaitsTheMax() {
        ProbeBackoff hourly = new ProbeBackoff(Duration.ofHours(1), MAX, () -> now);
        assertThat(hourly.failed()).isEqualTo(MAX);
        assertThat(hourly.failed()).isEqualTo(MAX);
    }

    @Test
    void refusesWaitsThatAreNotPositive() {
        assertThatThrownBy(() -> new ProbeBackoff(Duration.ZERO, MAX, () -> now))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("firstWait: must be positive, was PT0S");
        assertThatThrownBy(() -> new ProbeBackoff(FIRST, Duration.ofSeconds(-1), () -> now))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxWait: must be positive, was PT-1S");
    }

    private void advance(Duration by) {
        now += by.toNanos();
    }
}
