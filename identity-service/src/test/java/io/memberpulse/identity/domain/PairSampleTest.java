package io.memberpulse.identity.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PairSampleTest {

    @Test
    void aFullSampleComparesOnlyThePairsItKeeps() {
        PairSample sample = new PairSample(100, 3);
        AtomicInteger compared = new AtomicInteger();
        for (int i = 0; i < 10_000; i++) {
            int level = i % 4;
            sample.offer(() -> {
                compared.incrementAndGet();
                return new int[] {level};
            }, 0);
        }
        assertThat(sample.size()).isEqualTo(100);
        assertThat(sample.counts().total()).isEqualTo(100);
        // a uniform reservoir keeps about capacity × (1 + ln(offered / capacity)) ≈ 560 of 10,000 pairs
        assertThat(compared.get()).isBetween(100, 1_500);
    }

    @Test
    void aSampleKeepsPairsUniformlyOverWhatWasOffered() {
        PairSample sample = new PairSample(2_000, 5);
        for (int i = 0; i < 20_000; i++) {
            int half = i < 10_000 ? 0 : 1; // the first half offered against the second
            sample.offer(() -> new int[] {half}, 0);
        }
        double[][] counts = sample.counts().levelCounts(new int[] {2});
        assertThat(counts[0][0] + counts[0][1]).isEqualTo(2_000);
        assertThat(counts[0][0]).isBetween(900.0, 1_100.0);
    }

    @Test
    void aPairThatIsNotThereAfterAllIsNotCounted() {
        PairSample sample = new PairSample(10, 3);
        sample.offer(() -> null, 0);
        sample.offer(() -> new int[] {1}, 0);
        assertThat(sample.size()).isEqualTo(1);
        assertThat(sample.counts().total()).isEqualTo(1);
    }
}
