package io.memberpulse.identity.domain;

import java.util.List;

/**
 * Estimates Fellegi–Sunter m and u probabilities from data, as Splink does: u (how often two records of
 * different people reach each comparison level) from random pairs, which are almost all non-matches;
 * then m (the same for two records of one person) and the share of matches by expectation–maximisation
 * over the blocked candidate pairs, u held fixed.
 * <p>
 * A pair is a comparison vector: one level per comparison, level 0 meaning "no information" (a value
 * missing on either side; it weighs nothing and is left out of the estimates), levels 1..n its outcomes.
 */
public final class FellegiSunterEstimator {
    /** Additive smoothing of the level counts, so that an unseen level never gets probability 0. */
    static final double PSEUDO_COUNT = 0.5;

    private FellegiSunterEstimator() {
    }

    /**
     * @param lambda     the share of matches among the candidate pairs
     * @param m          m[comparison][level] (index 0 unused)
     * @param u          u[comparison][level] (index 0 unused)
     * @param iterations EM iterations run
     */
    public record Estimate(double lambda, double[][] m, double[][] u, int iterations) {
        /** log2(m/u) of a level; 0 for level 0 (no information). */
        public double weight(int comparison, int level) {
            return level == 0 ? 0 : Math.log(m[comparison][level] / u[comparison][level]) / Math.log(2);
        }

        /** The probability that a pair with this comparison vector is a match. */
        public double matchProbability(int[] levels) {
            double odds = lambda / (1 - lambda);
            for (int k = 0; k < levels.length; k++) {
                if (levels[k] != 0) {
                    odds *= m[k][levels[k]] / u[k][levels[k]];
                }
            }
            return odds / (1 + odds);
        }
    }

    /**
     * u of each level: its share among the random pairs where the comparison has information.
     *
     * @param levels number of levels of each comparison, level 0 included
     */
    public static double[][] estimateU(List<int[]> randomPairs, int[] levels) {
        return estimateU(PatternCounts.of(randomPairs, null), levels);
    }

    static double[][] estimateU(PatternCounts randomPairs, int[] levels) {
        return normalise(randomPairs.levelCounts(levels));
    }

    /**
     * m and lambda by EM over the candidate pairs, u fixed.
     *
     * @param start     starting m (any rough guess; e.g. 0.9 for agreement levels), rows as in u
     * @param lambda0   starting share of matches
     * @param tolerance stop when no m or lambda moves by more than this
     */
    public static Estimate estimate(List<int[]> candidatePairs, double[][] u, double[][] start, double lambda0,
            int maxIterations, double tolerance) {
        return estimate(PatternCounts.of(candidatePairs, null), u, start, lambda0, maxIterations, tolerance);
    }

    static Estimate estimate(PatternCounts candidatePairs, double[][] u, double[][] start, double lambda0,
            int maxIterations, double tolerance) {
        if (candidatePairs.total() == 0) {
            return new Estimate(lambda0, copy(start), copy(u), 0);
        }
        // identical vectors are weighed once, with their count: EM runs over distinct patterns
        PatternCounts.Vectors patterns = candidatePairs.vectors();
        int[][] vectors = patterns.vectors();
        double[] counts = patterns.counts();
        double total = candidatePairs.total();
        double[][] m = copy(start);
        double lambda = lambda0;
        int iteration = 0;
        while (iteration < maxIterations) {
            iteration++;
            double[][] matched = new double[m.length][];
            for (int k = 0; k < m.length; k++) {
                matched[k] = new double[m[k].length];
            }
            double matches = 0;
            for (int i = 0; i < vectors.length; i++) {
                double pm = lambda;
                double pu = 1 - lambda;
                for (int k = 0; k < vectors[i].length; k++) {
                    int level = vectors[i][k];
                    if (level != 0) {
                        pm *= m[k][level];
                        pu *= u[k][level];
                    }
                }
                double posterior = pm / (pm + pu) * counts[i];
                matches += posterior;
                for (int k = 0; k < vectors[i].length; k++) {
                    matched[k][vectors[i][k]] += posterior;
                }
            }
            double[][] next = normalise(matched);
            double nextLambda = Math.min(1 - 1e-9, Math.max(1e-9, matches / total));
            double moved = Math.abs(nextLambda - lambda);
            for (int k = 0; k < m.length; k++) {
                for (int level = 1; level < m[k].length; level++) {
                    moved = Math.max(moved, Math.abs(next[k][level] - m[k][level]));
                }
            }
            m = next;
            lambda = nextLambda;
            if (moved < tolerance) {
                break;
            }
        }
        return new Estimate(lambda, m, copy(u), iteration);
    }

    /**
     * EM in one session per blocking rule, as Splink does: the pairs a rule found all agree on the compared
     * value its key is made of, so that comparison says nothing there and is left out; every other
     * comparison's m is learned in the session. Each m is then the mean over the sessions that learned it
     * (the starting m where none did), and lambda the share of matches among all the pairs under that m.
     *
     * @param foundBy for each pair, the comparisons whose blocking keys found it (bit k = comparison k)
     */
    public static Estimate estimateByBlockingRule(List<int[]> candidatePairs, List<Integer> foundBy, double[][] u,
            double[][] start, double lambda0, int maxIterations, double tolerance) {
        return estimateByBlockingRule(PatternCounts.of(candidatePairs, foundBy), u, start, lambda0, maxIterations,
                tolerance);
    }

    static Estimate estimateByBlockingRule(PatternCounts candidatePairs, double[][] u, double[][] start, double lambda0,
            int maxIterations, double tolerance) {
        double[][] sum = new double[u.length][];
        int[] sessions = new int[u.length];
        for (int k = 0; k < u.length; k++) {
            sum[k] = new double[u[k].length];
        }
        double lambdas = 0;
        int rules = 0;
        int iterations = 0;
        for (int rule = 0; rule < u.length; rule++) {
            PatternCounts found = candidatePairs.foundBy(rule);
            if (found.total() < MIN_PAIRS_PER_SESSION) {
                continue;
            }
            Estimate session = estimate(found, u, start, lambda0, maxIterations, tolerance);
            iterations += session.iterations();
            lambdas += session.lambda();
            rules++;
            for (int k = 0; k < u.length; k++) {
                if (k == rule || found.withInformation(k) < MIN_PAIRS_PER_SESSION) {
                    continue;
                }
                sessions[k]++;
                for (int level = 1; level < u[k].length; level++) {
                    sum[k][level] += session.m()[k][level];
                }
            }
        }
        double[][] m = copy(start);
        for (int k = 0; k < u.length; k++) {
            if (sessions[k] > 0) {
                for (int level = 1; level < u[k].length; level++) {
                    m[k][level] = sum[k][level] / sessions[k];
                }
            }
        }
        double lambda = rules == 0 ? lambda0 : shareOfMatches(candidatePairs.vectors(), m, u, lambdas / rules);
        return new Estimate(lambda, m, copy(u), iterations);
    }

    /**
     * The share of matches among all candidate pairs, m and u held: each session saw only its rule's pairs,
     * and the union of the rules has its own share (the prior of a candidate pair being a match).
     */
    static double shareOfMatches(PatternCounts.Vectors patterns, double[][] m, double[][] u, double start) {
        // over distinct vectors with their counts (a few hundred, not the 200,000 pairs): each iteration is cheap
        double pairs = 0;
        for (double count : patterns.counts()) {
            pairs += count;
        }
        double lambda = start;
        for (int iteration = 0; iteration < 100; iteration++) {
            double matches = 0;
            for (int i = 0; i < patterns.vectors().length; i++) {
                int[] pair = patterns.vectors()[i];
                double pm = lambda;
                double pu = 1 - lambda;
                for (int k = 0; k < pair.length; k++) {
                    if (pair[k] != 0) {
                        pm *= m[k][pair[k]];
                        pu *= u[k][pair[k]];
                    }
                }
                matches += pm / (pm + pu) * patterns.counts()[i];
            }
            double next = Math.min(1 - 1e-9, Math.max(1e-9, matches / pairs));
            if (Math.abs(next - lambda) < 1e-7) {
                return next;
            }
            lambda = next;
        }
        return lambda;
    }

    /** Pairs with information on a comparison fewer than this leave its m where it started. */
    static final int MIN_PAIRS_PER_SESSION = 100;

    /** Each row's levels 1..n as shares of their (smoothed) total; level 0 is not a share. */
    private static double[][] normalise(double[][] counts) {
        double[][] shares = new double[counts.length][];
        for (int k = 0; k < counts.length; k++) {
            shares[k] = new double[counts[k].length];
            double sum = 0;
            for (int level = 1; level < counts[k].length; level++) {
                sum += counts[k][level] + PSEUDO_COUNT;
            }
            for (int level = 1; level < counts[k].length; level++) {
                shares[k][level] = (counts[k][level] + PSEUDO_COUNT) / sum;
            }
        }
        return shares;
    }

    private static double[][] copy(double[][] table) {
        double[][] copy = new double[table.length][];
        for (int k = 0; k < table.length; k++) {
            copy[k] = table[k].clone();
        }
        return copy;
    }
}
