package io.memberpulse.churn;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.churn.domain.features.Activity;
import io.memberpulse.churn.domain.model.TrainingMemory;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A run as of an earlier instant (a backtest) reads the facts up to it, not every fact ever stored. */
@QuarkusTest
class TrainingFactsReadTest {
    @Inject
    ScoreMembersService scoring;

    @Inject
    TrainModelService training;

    @Test
    void aRunAsOfAnEarlierInstantReadsTheFactsUpToItAndNoneAfter() {
        String member = "asof-" + ScoringFixture.runId();
        // Before the instant other tests count from, so the event clock stays where it is; after the batch score at
        // 2025-09-10 (BatchScoreResourceTest), which would take the silence after these orders for a feed outage, and
        // before the other tests' histories begin (2026-03), which never judge a silence that old.
        Instant asOf = Instant.parse("2025-11-01T00:00:00Z");
        Instant before = asOf.minus(Duration.ofDays(10));
        Instant justAfter = asOf.plusNanos(1_000); // a microsecond, what PostgreSQL keeps
        Instant later = asOf.plus(Duration.ofDays(10));
        scoring.record(List.of(ScoringFixture.order(member, member + "-0", before, "S-" + member),
                ScoringFixture.order(member, member + "-1", asOf, "S-" + member),
                ScoringFixture.order(member, member + "-2", justAfter, "S-" + member),
                ScoringFixture.order(member, member + "-3", later, "S-" + member)));

        TrainingRun.FactsRead upTo = training.factsUpTo(asOf);
        Map<String, List<Activity>> histories = upTo.histories().await().indefinitely();
        List<Instant> read = histories.get(member).stream().map(Activity::at).sorted().toList();
        // a purchase at asOf itself ends the last label window (T, asOf]: it is read
        assertThat(read).containsExactly(before, asOf);

        assertThat(upTo.count().await().indefinitely()).as("counted before they are read, the same facts")
                .isEqualTo(new TrainingMemory.Facts(histories.size(),
                        histories.values().stream().mapToLong(List::size).sum()));

        assertThat(training.factsUpTo(null).histories().await().indefinitely().get(member))
                .as("the event clock's run reads every fact").hasSize(4);
    }
}
