package io.memberpulse.churn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memberpulse.churn.domain.NotEnoughDataException;
import io.memberpulse.churn.domain.NotEnoughMemoryException;
import io.memberpulse.churn.domain.features.Activity;
import io.memberpulse.churn.domain.features.FeatureExtractor;
import io.memberpulse.churn.domain.model.LabelGuard;
import io.memberpulse.churn.domain.model.ModelKind;
import io.memberpulse.churn.domain.model.TrainingMemory;
import io.memberpulse.churn.domain.model.TrainingProgress;
import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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

    /**
     * One measurement of the free heap (a full collection, System.gc()) serves both checks: a run used to collect
     * again after the read, and once more for each fit a batch score tries (validated, then unvalidated).
     */
    @Test
    void aRunMeasuresTheFreeHeapOnceForBothItsChecks() {
        AtomicInteger measured = new AtomicInteger();
        TrainingRun.Heap heap = heap(900 * MB, 1_024 * MB, measured);
        TrainingRun run = load(read(new TrainingMemory.Facts(1, 1), histories(1, 1)), heap);

        assertThatThrownBy(() -> run.train(AS_OF, TrainingProgress.NONE)).isInstanceOf(NotEnoughDataException.class);
        assertThatThrownBy(() -> run.trainWithoutValidation(AS_OF, ModelKind.LR, TrainingProgress.NONE))
                .isInstanceOf(NotEnoughDataException.class);

        assertThat(measured).hasValue(1);
    }

    /**
     * The check after the read still refuses a run whose read brought more than was counted (facts recorded in
     * between): its members' snapshots against the heap measured before the read, less what the facts read hold.
     */
    @Test
    void aReadThatBroughtMoreThanCountedIsRefusedBeforeItsSnapshotsAreBuilt() {
        // counted: 10 members with 100 facts; read: 3,000 members with 20 facts each, whose snapshots need
        // 3,000 x 24 cut-offs x 1 KB = 70.3 MB, on 80 MB free less the 60,000 facts' 18.3 MB
        TrainingRun run = load(read(new TrainingMemory.Facts(10, 100), histories(3_000, 20)),
                heap(80 * MB, 1_024 * MB, new AtomicInteger()));

        assertThatThrownBy(() -> run.train(AS_OF, TrainingProgress.NONE))
                .isInstanceOf(NotEnoughMemoryException.class)
                .hasMessageContaining("3,000 members at 24 cut-offs need about 71 MB")
                .hasMessageContaining("62 MB of the service's 1,024 MB are free");
    }

    private static Map<String, List<Activity>> histories(int members, int factsEach) {
        Map<String, List<Activity>> histories = new HashMap<>();
        for (int m = 0; m < members; m++) {
            List<Activity> facts = new ArrayList<>();
            for (int f = 0; f < factsEach; f++) {
                facts.add(Activity.orderLine(AS_OF.minusSeconds(86_400L * (f + 1)), "o-" + m + "-" + f, "pos", "s1",
                        "sku", "cat", 1, 10, 0));
            }
            histories.put("m-" + m, facts);
        }
        return histories;
    }

    private static TrainingRun.FactsRead read(TrainingMemory.Facts count, Map<String, List<Activity>> histories) {
        return new TrainingRun.FactsRead(Uni.createFrom().item(count), Uni.createFrom().item(histories),
                Uni.createFrom().item(List.of()));
    }

    private static TrainingRun.Heap heap(long free, long max, AtomicInteger measured) {
        return new TrainingRun.Heap() {
            @Override
            public long free() {
                measured.incrementAndGet();
                return free;
            }

            @Override
            public long max() {
                return max;
            }
        };
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
