package io.memberpulse.identity.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

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
        offered++;
        if (pairs.size() < capacity) {
            pairs.add(levels);
            this.foundBy.add(foundBy);
            counts.add(levels, foundBy);
        } else {
            long slot = (long) (random.nextDouble() * offered);
            if (slot < capacity) {
                counts.remove(pairs.set((int) slot, levels), this.foundBy.set((int) slot, foundBy));
                counts.add(levels, foundBy);
            }
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
