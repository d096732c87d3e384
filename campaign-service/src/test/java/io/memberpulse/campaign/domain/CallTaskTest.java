package io.memberpulse.campaign.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class CallTaskTest {
    private static final Instant CREATED = Instant.parse("2024-03-01T09:00:00Z");
    private static final Instant DUE = CREATED.plus(Duration.ofHours(72));
    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

    private static CallTask task(String id, double valueAtRisk) {
        return new CallTask(id, "m-" + id, "s-1", null, 0.83, 412.4, valueAtRisk, CREATED, DUE, 0);
    }

    @Test
    void aTaskIsOverdueOnlyOnceItsDeadlinePassed() {
        CallTask task = task("t", 342.3);
        assertThat(task.status(CREATED)).isEqualTo(CallTaskStatus.OPEN);
        assertThat(task.status(DUE)).isEqualTo(CallTaskStatus.OPEN);
        assertThat(task.status(DUE.plusSeconds(1))).isEqualTo(CallTaskStatus.OVERDUE);
        assertThat(task.isOverdue(DUE.plusSeconds(1))).isTrue();
    }

    @Test
    void talkingPointsSayRiskSpendValueAndDeadline() {
        CallTask task = task("t", 1342.3);
        assertThat(TalkingPoints.of(task, CREATED.plus(Duration.ofMinutes(30)), SHANGHAI, Money.CNY))
                .containsExactly("churn risk 83%", "90-day spend ¥412", "value at risk ¥1,342", "call within 72 h");
        assertThat(TalkingPoints.of(task, DUE.plus(Duration.ofHours(5)), SHANGHAI, Money.CNY)).last().isEqualTo("overdue by 5 h");
    }

    /** Online Retail is in GBP: its amounts read in pounds, not yuan. */
    @Test
    void talkingPointsWriteAmountsInTheConfiguredCurrency() {
        Money pounds = new Money(java.util.Currency.getInstance("GBP"), null);
        assertThat(TalkingPoints.of(task("t", 1342.3), CREATED.plus(Duration.ofMinutes(30)), SHANGHAI, pounds))
                .containsExactly("churn risk 83%", "90-day spend £412", "value at risk £1,342", "call within 72 h");
        Money euros = new Money(java.util.Currency.getInstance("EUR"), java.util.Locale.GERMANY);
        assertThat(TalkingPoints.of(task("t", 1342.3), CREATED.plus(Duration.ofMinutes(30)), SHANGHAI, euros))
                .contains("value at risk 1.342\u00a0€");
    }

    /** An unscored member's risk is unknown: no "churn risk 0%", "¥0" points, only the deadline (and their history). */
    @Test
    void anUnscoredTasksTalkingPointsLeaveOutTheRisk() {
        CallTask unscored = new CallTask("t", "m-t", "s-1", null, 0, 0, 0, CREATED, DUE, 0).scored(false);
        assertThat(unscored.unscored()).isTrue();
        assertThat(TalkingPoints.of(unscored, CREATED.plus(Duration.ofMinutes(30)), SHANGHAI, Money.CNY))
                .containsExactly("call within 72 h");
        assertThat(unscored.scored(true).unscored()).isFalse();
    }

    @Test
    void aCallListKeepsTheRankedOrderUpToTheLimit() {
        List<CallTask> ranked = List.of(task("a", 300), task("b", 200), task("c", 100));
        assertThat(CallList.firstOf("s-1", ranked, 2, CREATED, SHANGHAI, Money.CNY).tasks()).extracting(CallTask::taskId)
                .containsExactly("a", "b");
        assertThat(CallList.firstOf("s-1", ranked, 20, CREATED, SHANGHAI, Money.CNY).tasks()).hasSize(3);
        assertThat(CallList.firstOf("s-1", List.of(), 20, CREATED, SHANGHAI, Money.CNY).tasks()).isEmpty();
    }
}
