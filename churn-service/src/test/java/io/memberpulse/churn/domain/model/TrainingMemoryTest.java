package io.memberpulse.churn.domain.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memberpulse.churn.domain.NotEnoughMemoryException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TrainingMemoryTest {
    static final TrainingPlan PLAN = TrainingPlan.of(Instant.parse("2011-09-10T00:00:00Z"), 90);

    @Test
    void aRunBuildsTheValidationWindowAndBothSeriesOfCutoffsOnce() {
        // the validation window is the latest training cut-off; the two series (14 days apart) never meet
        assertThat(PLAN.trainingCutoffs()).contains(PLAN.validationCutoff());
        assertThat(TrainingMemory.cutoffs(PLAN)).isEqualTo(24);
        assertThat(TrainingMemory.estimate(23_570, PLAN)).isEqualTo(23_570L * 24 * 1_024);
    }

    @Test
    void aRunThatWouldNotFitIsRefusedWithWhatItNeeds() {
        long mb = 1 << 20;
        TrainingMemory.require(4_372, PLAN, 200 * mb, 256 * mb);
        assertThatThrownBy(() -> TrainingMemory.require(23_570, PLAN, 150 * mb, 256 * mb))
                .isInstanceOf(NotEnoughMemoryException.class)
                .hasMessageContaining("23,570 members at 24 cut-offs need about 553 MB")
                .hasMessageContaining("150 MB of the service's 256 MB are free")
                .hasMessageContaining("MEMBERPULSE_CHURN_HEAP");
        TrainingMemory.require(23_570, PLAN, 600 * mb, 2_048 * mb);
    }

    @Test
    void beforeItReadsThemARunCountsTheFactsItsHistoriesAndProductSetsHold() {
        // Online Retail before 2011-12-01: 4,331 members, 389,168 facts
        TrainingMemory.Facts onlineRetail = new TrainingMemory.Facts(4_331, 389_168);
        long snapshots = TrainingMemory.estimate(4_331, PLAN);
        assertThat(TrainingMemory.estimate(onlineRetail, PLAN) - snapshots)
                .as("320 bytes per fact in the histories, 16 per fact and cut-off in the product sets")
                .isEqualTo(389_168L * (320 + 24 * 16));
        assertThat(TrainingMemory.estimate(new TrainingMemory.Facts(4_331, 2 * 389_168L), PLAN))
                .as("twice the facts for the same members").isGreaterThan(TrainingMemory.estimate(onlineRetail, PLAN));
    }

    @Test
    void aChainWhoseFactsWouldNotFitIsRefusedBeforeTheyAreRead() {
        long mb = 1 << 20;
        TrainingMemory.Facts chain = new TrainingMemory.Facts(23_570, 2_000_000);
        // its members' snapshots alone fit, which was all the check after the read counted
        TrainingMemory.require(23_570, PLAN, 1_000 * mb, 2_048 * mb);
        assertThatThrownBy(() -> TrainingMemory.require(chain, PLAN, 1_000 * mb, 2_048 * mb))
                .isInstanceOf(NotEnoughMemoryException.class)
                .hasMessageContaining("23,570 members with 2,000,000 facts at 24 cut-offs need about 1,896 MB")
                .hasMessageContaining("1,000 MB of the service's 2,048 MB are free");
    }

    @Test
    void theFactsReadAreTakenOffTheHeapFreeBeforeTheRead() {
        long mb = 1 << 20;
        assertThat(TrainingMemory.freeAfterReading(200 * mb, 389_168)).isEqualTo(200 * mb - 389_168L * 320);
        assertThat(TrainingMemory.freeAfterReading(100 * mb, 1_000_000_000L)).isZero();
    }
}
