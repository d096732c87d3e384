package io.memberpulse.campaign.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class CallListTest {
    private static final Instant NOW = Instant.parse("2024-03-05T00:00:00Z");

    private static CallTask task(String id, double valueAtRisk, Instant dueAt) {
        return new CallTask(id, "m-" + id, "s-1", null, 0.8, valueAtRisk / 0.8, valueAtRisk,
                dueAt.minus(Duration.ofHours(72)), dueAt, 0);
    }

    /**
     * Ranked by value at risk alone, a store with more OPEN tasks than its day's capacity called the same top values
     * every day and the lowest ones breached their 72 hours for good. Overdue tasks come first, longest overdue first;
     * the rest follow by value at risk.
     */
    @Test
    void overdueTasksComeFirstLongestOverdueFirstThenByValueAtRisk() {
        CallTask richNotDue = task("rich", 900, NOW.plus(Duration.ofHours(10)));
        CallTask middleNotDue = task("middle", 500, NOW.plus(Duration.ofHours(20)));
        CallTask poorOverdue = task("poor", 10, NOW.minus(Duration.ofHours(1)));
        CallTask poorerOverdueLonger = task("poorer", 5, NOW.minus(Duration.ofHours(30)));
        List<CallTask> byValue = List.of(richNotDue, middleNotDue, poorOverdue, poorerOverdueLonger);

        CallList list = CallList.firstOf("s-1", byValue, 3, NOW, ZoneOffset.UTC, Money.CNY);
        assertThat(list.tasks()).extracting(CallTask::taskId).containsExactly("poorer", "poor", "rich");
        assertThat(list.overflow()).extracting(CallTask::taskId).containsExactly("middle");

        CallList nothingDue = CallList.firstOf("s-1", byValue, 3, NOW.minus(Duration.ofDays(2)), ZoneOffset.UTC, Money.CNY);
        assertThat(nothingDue.tasks()).extracting(CallTask::taskId).containsExactly("rich", "middle", "poor");
    }

    /**
     * A replan opens all its calls with one due time: overdue together, they were ordered by id, a random UUID, when
     * read overdue and by value when cached before they fell due, so the day's capacity picked at random.
     */
    @Test
    void overdueTasksDueTogetherGoLargestValueAtRiskFirstWhateverTheirOrderIn() {
        Instant due = NOW.minus(Duration.ofHours(2));
        CallTask lowValueLowerId = task("a-low", 10, due);
        CallTask highValue = task("b-high", 100, due);
        for (List<CallTask> read : List.of(List.of(lowValueLowerId, highValue), List.of(highValue, lowValueLowerId))) {
            CallList list = CallList.firstOf("s-1", read, 1, NOW, ZoneOffset.UTC, Money.CNY);
            assertThat(list.tasks()).extracting(CallTask::taskId).containsExactly("b-high");
            assertThat(list.overflow()).extracting(CallTask::taskId).containsExactly("a-low");
        }
    }
}
