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
        } else {
            long slot = (long) (random.nextDouble() * offered);
            if (slot < capacity) {
                pairs.set((int) slot, levels);
                this.foundBy.set((int) slot, foundBy);
            }
        }
    }

    List<Integer> foundBy() {
        return foundBy;
    }

    int size() {
        return pairs.size();
    }

    List<int[]> pairs() {
        return pairs;
    }

    Random random() {
        return random;
    }
}
