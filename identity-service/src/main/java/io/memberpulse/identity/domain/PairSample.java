package io.memberpulse.identity.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/** A uniform sample of bounded size of the comparison vectors offered (reservoir sampling). */
final class PairSample {
    private final int capacity;
    private final Random random;
    private final List<int[]> pairs = new ArrayList<>();
    private final List<Integer> foundBy = new ArrayList<>();
    private final PatternCounts counts = new PatternCounts();
    private long offered;

    /** @param seed fixed, so that the same data gives the same weights */
    PairSample(int capacity, long seed) {
        this.capacity = capacity;
        this.random = new Random(seed);
    }

    /** @param foundBy the comparisons whose blocking keys found the pair, a bit each (0 for a random pair) */
    void offer(int[] levels, int foundBy) {
        offer(() -> levels, foundBy);
    }

    /**
     * Offers a pair whose comparison is made only if the sample keeps it: once the sample is full, most
     * pairs offered are not kept, and comparing them was most of the cost of sampling.
     *
     * @param levels compares the pair, or answers null when there is no pair to offer after all
     */
    void offer(Supplier<int[]> levels, int foundBy) {
        if (pairs.size() < capacity) {
            int[] compared = levels.get();
            if (compared != null) {
                offered++;
                pairs.add(compared);
                this.foundBy.add(foundBy);
                counts.add(compared, foundBy);
            }
            return;
        }
        long slot = (long) (random.nextDouble() * (offered + 1));
        if (slot >= capacity) {
            offered++;
            return;
        }
        int[] compared = levels.get();
        if (compared != null) {
            offered++;
            counts.remove(pairs.set((int) slot, compared), this.foundBy.set((int) slot, foundBy));
            counts.add(compared, foundBy);
        }
    }

    /** The sampled pairs counted by vector (and the rules that found them), kept up to date as the sample changes. */
    PatternCounts counts() {
        return counts;
    }

    int size() {
        return pairs.size();
    }

    Random random() {
        return random;
    }
}
