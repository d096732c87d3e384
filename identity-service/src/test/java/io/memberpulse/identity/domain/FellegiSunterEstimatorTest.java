package io.memberpulse.identity.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FellegiSunterEstimatorTest {
    // three comparisons: name (agree, close, disagree), address (agree, disagree), store (agree, disagree)
    static final int[] LEVELS = {4, 3, 3};
    static final double[][] TRUE_M = {{0, 0.80, 0.15, 0.05}, {0, 0.70, 0.30}, {0, 0.90, 0.10}};
    static final double[][] TRUE_U = {{0, 0.02, 0.08, 0.90}, {0, 0.05, 0.95}, {0, 0.20, 0.80}};
    static final double MISSING = 0.1;

    static int[] draw(double[][] probabilities, Random random) {
        int[] levels = new int[probabilities.length];
        for (int k = 0; k < probabilities.length; k++) {
            if (random.nextDouble() < MISSING) {
                continue; // no information on this comparison: level 0
            }
            double x = random.nextDouble();
            int level = 1;
            while (level < probabilities[k].length - 1 && (x -= probabilities[k][level]) > 0) {
                level++;
            }
            levels[k] = level;
        }
        return levels;
    }

    @Test
    void recoversKnownMAndUFromSyntheticPairs() {
        Random random = new Random(7);
        List<int[]> randomPairs = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            randomPairs.add(draw(TRUE_U, random));
        }
        double lambda = 0.3;
        List<int[]> candidates = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            candidates.add(draw(random.nextDouble() < lambda ? TRUE_M : TRUE_U, random));
        }
        double[][] u = FellegiSunterEstimator.estimateU(randomPairs, LEVELS);
        double[][] start = {{0, 0.5, 0.3, 0.2}, {0, 0.5, 0.5}, {0, 0.5, 0.5}};
        FellegiSunterEstimator.Estimate estimate = FellegiSunterEstimator.estimate(candidates, u, start, 0.5, 500, 1e-7);

        assertThat(estimate.lambda()).isCloseTo(lambda, within(0.01));
        for (int k = 0; k < LEVELS.length; k++) {
            for (int level = 1; level < LEVELS[k]; level++) {
                assertThat(estimate.u()[k][level]).as("u[%d][%d]", k, level).isCloseTo(TRUE_U[k][level], within(0.005));
                assertThat(estimate.m()[k][level]).as("m[%d][%d]", k, level).isCloseTo(TRUE_M[k][level], within(0.02));
            }
        }
        // weights follow: name agreement is strong evidence, name disagreement strong counter-evidence
        assertThat(estimate.weight(0, 1)).isCloseTo(Math.log(0.80 / 0.02) / Math.log(2), within(0.2));
        assertThat(estimate.weight(0, 3)).isNegative();
        assertThat(estimate.weight(0, 0)).isZero();
        assertThat(estimate.matchProbability(new int[] {1, 1, 1})).isGreaterThan(0.99);
        assertThat(estimate.matchProbability(new int[] {3, 2, 2})).isLessThan(0.01);
    }

    @Test
    void countsKeptUpToDateAsPairsComeAndGoEstimateAsTheFinalPairsDo() {
        Random random = new Random(11);
        List<int[]> pairs = new ArrayList<>();
        List<Integer> rules = new ArrayList<>();
        PatternCounts counts = new PatternCounts();
        for (int i = 0; i < 50_000; i++) {
            int[] levels = draw(random.nextDouble() < 0.3 ? TRUE_M : TRUE_U, random);
            int foundBy = 1 + random.nextInt(7); // any non-empty set of the three rules
            if (pairs.size() < 20_000) {
                pairs.add(levels);
                rules.add(foundBy);
            } else { // replaced, as the reservoir sample does
                int slot = random.nextInt(pairs.size());
                counts.remove(pairs.set(slot, levels), rules.set(slot, foundBy));
            }
            counts.add(levels, foundBy);
        }
        List<int[]> randomPairs = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            randomPairs.add(draw(TRUE_U, random));
        }
        double[][] u = FellegiSunterEstimator.estimateU(randomPairs, LEVELS);
        double[][] start = {{0, 0.5, 0.3, 0.2}, {0, 0.5, 0.5}, {0, 0.5, 0.5}};
        FellegiSunterEstimator.Estimate fromList = FellegiSunterEstimator.estimateByBlockingRule(pairs, rules, u, start,
                0.3, 200, 1e-9);
        FellegiSunterEstimator.Estimate fromCounts = FellegiSunterEstimator.estimateByBlockingRule(counts, u, start,
                0.3, 200, 1e-9);

        assertThat(counts.total()).isEqualTo(pairs.size());
        assertThat(FellegiSunterEstimator.estimateU(counts, LEVELS))
                .isDeepEqualTo(FellegiSunterEstimator.estimateU(pairs, LEVELS));
        assertThat(fromCounts.lambda()).isCloseTo(fromList.lambda(), within(1e-12));
        for (int k = 0; k < LEVELS.length; k++) {
            for (int level = 1; level < LEVELS[k]; level++) {
                assertThat(fromCounts.m()[k][level]).as("m[%d][%d]", k, level).isCloseTo(fromList.m()[k][level],
                        within(1e-12));
            }
        }
        assertThat(fromCounts.lambda()).isBetween(0.1, 0.5); // a share of matches near the 0.3 drawn was learned
    }

    @Test
    void levelsNeverSeenStillGetAProbabilityAboveZero() {
        double[][] u = FellegiSunterEstimator.estimateU(List.of(new int[] {3, 2, 2}, new int[] {3, 2, 0}), LEVELS);
        assertThat(u[0][1]).isPositive();
        assertThat(u[0][3]).isGreaterThan(u[0][1]);
    }

    @Test
    void withoutCandidatePairsTheStartingValuesStand() {
        double[][] start = {{0, 0.5, 0.3, 0.2}, {0, 0.5, 0.5}, {0, 0.5, 0.5}};
        FellegiSunterEstimator.Estimate estimate = FellegiSunterEstimator.estimate(List.of(), TRUE_U, start, 0.4, 10, 1e-6);
        assertThat(estimate.m()[0][1]).isEqualTo(0.5);
        assertThat(estimate.lambda()).isEqualTo(0.4);
        assertThat(estimate.iterations()).isZero();
    }
}
