package io.memberpulse.identity.domain;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Comparison vectors counted by content, each with the blocking rules that found it (a bit per
 * comparison, 0 for random pairs). Weight estimation runs over the few hundred distinct vectors rather
 * than the 200,000 sampled pairs, and a sample that changes a pair at a time keeps its counts up to date
 * instead of counting every pair again after each batch (which had made re-estimation most of the cost
 * of stitching).
 */
final class PatternCounts {
    private final Map<Pattern, long[]> counts = new HashMap<>();
    private long total;

    private record Pattern(int[] levels, int foundBy) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Pattern pattern && foundBy == pattern.foundBy && Arrays.equals(levels, pattern.levels);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(levels) * 31 + foundBy;
        }
    }

    /** @param foundBy for each pair, the rules that found it; null when none did (random pairs) */
    static PatternCounts of(List<int[]> pairs, List<Integer> foundBy) {
        PatternCounts counts = new PatternCounts();
        for (int i = 0; i < pairs.size(); i++) {
            counts.add(pairs.get(i), foundBy == null ? 0 : foundBy.get(i), 1);
        }
        return counts;
    }

    void add(int[] levels, int foundBy) {
        add(levels, foundBy, 1);
    }

    void remove(int[] levels, int foundBy) {
        add(levels, foundBy, -1);
    }

    private void add(int[] levels, int foundBy, long count) {
        Pattern pattern = new Pattern(levels, foundBy);
        long[] held = counts.computeIfAbsent(pattern, p -> new long[1]);
        held[0] += count;
        if (held[0] == 0) {
            counts.remove(pattern);
        }
        total += count;
    }

    /** How many pairs are counted. */
    long total() {
        return total;
    }

    /** The pairs a rule found, counted by vector with that rule's comparison left out (set to level 0). */
    PatternCounts foundBy(int rule) {
        PatternCounts found = new PatternCounts();
        counts.forEach((pattern, count) -> {
            if ((pattern.foundBy & (1 << rule)) != 0) {
                int[] levels = pattern.levels.clone();
                levels[rule] = 0;
                found.add(levels, 0, count[0]);
            }
        });
        return found;
    }

    /** The same pairs counted by vector alone, whatever found them. */
    PatternCounts vectorsOnly() {
        PatternCounts vectors = new PatternCounts();
        counts.forEach((pattern, count) -> vectors.add(pattern.levels, 0, count[0]));
        return vectors;
    }

    /** How many pairs have information (a level other than 0) on this comparison. */
    long withInformation(int comparison) {
        long seen = 0;
        for (Map.Entry<Pattern, long[]> entry : counts.entrySet()) {
            if (entry.getKey().levels[comparison] != 0) {
                seen += entry.getValue()[0];
            }
        }
        return seen;
    }

    /** How many pairs reached each level of each comparison: counts[comparison][level]. */
    double[][] levelCounts(int[] levels) {
        double[][] reached = new double[levels.length][];
        for (int k = 0; k < levels.length; k++) {
            reached[k] = new double[levels[k]];
        }
        counts.forEach((pattern, count) -> {
            for (int k = 0; k < levels.length; k++) {
                reached[k][pattern.levels[k]] += count[0];
            }
        });
        return reached;
    }

    /** The distinct vectors (foundBy aside) in a fixed order, and how many pairs have each. */
    Vectors vectors() {
        Map<List<Integer>, double[]> byVector = new HashMap<>();
        counts.forEach((pattern, count) -> byVector.computeIfAbsent(Arrays.stream(pattern.levels).boxed().toList(),
                v -> new double[1])[0] += count[0]);
        int[][] vectors = byVector.keySet().stream().map(v -> v.stream().mapToInt(Integer::intValue).toArray())
                .sorted(Arrays::compare).toArray(int[][]::new);
        double[] weights = new double[vectors.length];
        for (int i = 0; i < vectors.length; i++) {
            weights[i] = byVector.get(Arrays.stream(vectors[i]).boxed().toList())[0];
        }
        return new Vectors(vectors, weights);
    }

    /** Distinct comparison vectors and how many pairs have each (sorted, so that sums do not depend on history). */
    record Vectors(int[][] vectors, double[] counts) {
    }
}
