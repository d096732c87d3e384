package io.memberpulse.churn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memberpulse.churn.domain.NotEnoughMemoryException;
import io.memberpulse.churn.domain.features.Activity;
import io.memberpulse.churn.domain.features.FeatureExtractor;
import io.memberpulse.churn.domain.model.LabelGuard;
import io.memberpulse.churn.domain.model.TrainingMemory;
import io.memberpulse.churn.domain.model.TrainingProgress;
import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A run counts what it is about to read and refuses, before reading it, what would not fit in the heap. */
class TrainingLoadTest {
    static final Instant AS_OF = Instant.parse("2011-12-01T00:00:00Z");
    static final long MB = 1 << 20;

    @Test
    void aRunTooLargeForTheHeapIsRefusedBeforeItsFactsAreLoaded() {
        AtomicBoolean loaded = new AtomicBoolean();
        // a large chain: 2 million members with 50 facts each, on a 1 GB heap
        TrainingRun.FactsRead read = read(new TrainingMemory.Facts(2_000_000, 100_000_000L), loaded);

        assertThatThrownBy(() -> load(read, heap(900 * MB, 1_024 * MB)))
                .isInstanceOf(NotEnoughMemoryException.class)
                .hasMessageContaining("2,000,000 members")
                .hasMessageContaining("100,000,000 facts")
                .hasMessageContaining("900 MB of the service's 1,024 MB are free");
        assertThat(loaded).as("the histories were never read").isFalse();
    }

    @Test
    void aRunThatFitsIsLoaded() {
        AtomicBoolean loaded = new AtomicBoolean();
        load(read(new TrainingMemory.Facts(4_331, 389_168), loaded), heap(900 * MB, 1_024 * MB));
        assertThat(loaded).isTrue();
    }

    private static TrainingRun load(TrainingRun.FactsRead read, TrainingRun.Heap heap) {
        return TrainingRun.load(read, AS_OF, new FeatureExtractor(90, 60, ZoneOffset.UTC), 90, LabelGuard.of(14),
                TrainingProgress.NONE, heap);
    }

    private static TrainingRun.FactsRead read(TrainingMemory.Facts count, AtomicBoolean loaded) {
        return new TrainingRun.FactsRead(Uni.createFrom().item(count), Uni.createFrom().item(() -> {
            loaded.set(true);
            return Map.<String, List<Activity>>of();
        }), Uni.createFrom().item(List.of()));
    }

    private static TrainingRun.Heap heap(long free, long max) {
        return new TrainingRun.Heap() {
            @Override
            public long free() {
                return free;
            }

            @Override
            public long max() {
                return max;
            }
        };
    }
}
