package io.memberpulse.churn;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.churn.domain.features.Activity;
import io.memberpulse.churn.domain.features.FeatureExtractor;
import io.memberpulse.churn.domain.features.StockOuts;
import io.memberpulse.churn.domain.model.ChurnTraining;
import io.memberpulse.churn.domain.model.LabelGuard;
import io.memberpulse.churn.domain.model.TrainingProgress;
import io.memberpulse.churn.testdata.Backtest;
import io.memberpulse.churn.testdata.EventCsv;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * How training (the work of a batch score or of training on demand) grows with the members: CDNOW's
 * 2,357 customers copied 1, 4 and 10 times, trained as of 1998-04-01 with H = 90 days. Prints each
 * stage's seconds and the live heap (after a GC) at its end, and the peak heap seen.
 * Run: ./mvnw verify -pl churn-service -am -Dsurefire.failIfNoSpecifiedTests=false
 *   -Dexcluded.test.groups=none -Dgroups=benchmark -Dtest=TrainingScaleBenchmarkTest
 */
@Tag("benchmark")
class TrainingScaleBenchmarkTest {
    static final Instant AS_OF = Backtest.day("1998-04-01");
    static final int H = 90;

    @Test
    void trainingTimeAndMemoryGrowWithTheMembers() throws Exception {
        EventCsv.Data cdnow = EventCsv.read(EventCsv.dataset("cdnow-sample.events.csv"));
        for (int copies : new int[] {1, 4, 10}) {
            Map<String, List<Activity>> histories = new HashMap<>();
            for (int k = 0; k < copies; k++) {
                for (Map.Entry<String, List<Activity>> member : cdnow.histories().entrySet()) {
                    histories.put(member.getKey() + "-" + k, member.getValue());
                }
            }
            System.gc();
            long before = liveHeap();
            StageClock clock = new StageClock();
            TrainingRun run = new TrainingRun(histories, new StockOuts(List.of()),
                    new FeatureExtractor(H, 60, ZoneOffset.UTC), H, LabelGuard.of(14));
            ChurnTraining.Result result = run.train(AS_OF, clock);
            clock.report(TrainingProgress.Stage.SCORING, 0, 1);
            double[] p = result.model().predict(result.forScoring(run.unlabelledAt(AS_OF)).features());
            clock.report(TrainingProgress.Stage.SCORING, 1, 1);
            clock.end();
            System.out.printf(Locale.ROOT, "%,d members (%d x CDNOW), %s chosen, %,d training rows: %.1f s in all; "
                    + "peak heap %,d MB (histories %,d MB)%n%s", histories.size(), copies, result.chosen().key(),
                    result.trainingRows(), clock.total(), clock.peak() >> 20, (before) >> 20, clock.lines());
            assertThat(p).hasSize(histories.size());
        }
    }

    private static long liveHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Seconds per stage and heap at each stage's end. */
    private static final class StageClock implements TrainingProgress {
        private final long started = System.nanoTime();
        private final StringBuilder lines = new StringBuilder();
        private Stage stage;
        private long stageStarted = started;
        private long peak;

        @Override
        public void report(Stage now, int done, int total) {
            peak = Math.max(peak, liveHeap());
            if (now != stage) {
                end();
                stage = now;
                stageStarted = System.nanoTime();
            }
        }

        void end() {
            if (stage != null) {
                long used = liveHeap();
                System.gc();
                lines.append(String.format(Locale.ROOT, "  %-22s %6.1f s  heap %,6d MB, live %,6d MB%n", stage.key(),
                        (System.nanoTime() - stageStarted) / 1e9, used >> 20, liveHeap() >> 20));
            }
        }

        double total() {
            return (System.nanoTime() - started) / 1e9;
        }

        long peak() {
            return peak;
        }

        String lines() {
            return lines.toString();
        }
    }
}
