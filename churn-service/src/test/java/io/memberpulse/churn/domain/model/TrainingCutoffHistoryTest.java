package io.memberpulse.churn.domain.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.churn.domain.features.GapSurvival;
import io.memberpulse.churn.domain.features.Population;
import io.memberpulse.churn.domain.features.ProductDemand;
import io.memberpulse.churn.domain.features.Snapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Training cut-offs too close to the start of the records are left out (ChurnTraining#MIN_RECORDS_DAYS). */
class TrainingCutoffHistoryTest {
    static final Instant RECORDS_START = Instant.parse("2020-01-01T00:00:00Z");

    /** A labelled synthetic snapshot whose records begin at RECORDS_START. */
    static Snapshot at(int daysAfterStart, int members, long seed) {
        Snapshot s = ChurnClassifierTest.synthetic(RECORDS_START.plus(Duration.ofDays(daysAfterStart)), members, seed);
        Population population = new Population(null, Map.of(), Double.NaN, GapSurvival.NONE,
                new ProductDemand(Map.of(), RECORDS_START.getEpochSecond() / 86_400));
        return new Snapshot(s.asOf(), population, s.memberIds(), s.features(), s.churned(), s.daysToReturn());
    }

    @Test
    void cutOffsWithShortRecordsAreLeftOutWhenTheRestSuffice() {
        Snapshot early = at(ChurnTraining.MIN_RECORDS_DAYS - 1, 300, 1);
        Snapshot later = at(ChurnTraining.MIN_RECORDS_DAYS, 300, 2);
        Snapshot latest = at(ChurnTraining.MIN_RECORDS_DAYS + 14, 300, 3);

        assertThat(ChurnTraining.recordsDays(early)).isEqualTo(ChurnTraining.MIN_RECORDS_DAYS - 1);
        assertThat(ChurnTraining.withHistory(List.of(latest, later, early))).containsExactly(latest, later);
    }

    @Test
    void everyCutOffIsKeptWhenThoseWithEnoughHistoryAreTooFewToTrainOn() {
        Snapshot early = at(10, 300, 1);
        Snapshot tiny = at(ChurnTraining.MIN_RECORDS_DAYS + 5, ChurnTraining.MIN_ROWS - 1, 2);
        Snapshot unknownRecords = ChurnClassifierTest.synthetic(RECORDS_START, 300, 3);

        assertThat(ChurnTraining.withHistory(List.of(tiny, early))).containsExactly(tiny, early);
        assertThat(ChurnTraining.withHistory(List.of(unknownRecords))).containsExactly(unknownRecords);
    }
}
