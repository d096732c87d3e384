package io.memberpulse.identity.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.memberpulse.identity.BatchLinker;
import io.memberpulse.identity.api.ChannelEventRules;
import io.memberpulse.identity.api.EventFormat;
import io.memberpulse.identity.domain.IdentifierNormalizer;
import io.memberpulse.identity.domain.IdentityGraph;
import io.memberpulse.identity.domain.MatchWeights;
import io.memberpulse.identity.domain.MergeRecord;
import io.memberpulse.identity.domain.StitchGuardrails;
import io.memberpulse.identity.domain.WeightEstimation;
import io.memberpulse.identity.store.EventRow;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

/**
 * Evaluation harness: feeds the identity-dev set through exactly the stitching an import runs (the
 * CSV parser and row rules of the import, {@link BatchLinker} with duplicate orders, one in-memory
 * {@link IdentityGraph} carried from batch to batch as the service keeps it, after a batch that quarantined a value
 * that had linked the members it glued split and the graph rebuilt as the service does ({@link StoredGraph})), in
 * batches of 5,000
 * rows as the service's intake stitches them (the weights are re-estimated after each batch, so the batch
 * size moves the score a little: 2,500 gave P 0.99829 F1 0.93438), writes {@code target/identity-dev/predictions-*.csv} and scores
 * it with the shared scorer. Skipped when the data set, python3 or the scorer is absent; fails when the scorer
 * refuses the predictions. Floors sit
 * just under what is reached today.
 */
class IdentityDevEvaluationTest {
    static final Path DATASET = Path.of(System.getProperty("memberpulse.identity-dev",
            "../../shared/datasets/identity-dev"));
    static final Path SCORER = Path.of(System.getProperty("memberpulse.score-identity",
            "../../shared/tools/score_identity.py"));
    static final Path OUT = Path.of("target/identity-dev");
    static final int BATCH = 5_000; // EventIntake.BATCH_SIZE
    static final Duration ORDER_WINDOW = Duration.ofMinutes(60);
    static final int SCORER_TIMEOUT_SECONDS = 120;

    @Test
    void stitchesTheDevSetAndScoresIt() throws Exception {
        Path events = DATASET.resolve("events.csv.gz");
        assumeTrue(Files.exists(events), "identity-dev data set not present");
        StitchGuardrails guardrails = StitchGuardrails.DEFAULTS;
        List<List<ChannelEvent>> batches = read(events, new IdentifierNormalizer("CN", guardrails::isBlocked));

        String deterministic = run("deterministic", batches, guardrails, MatchWeights.OFF);
        String handSet = run("hand-set", batches, guardrails, MatchWeights.DEFAULTS);
        // as the service runs: the configured weights seed, then the data re-estimates the unfixed ones (EM)
        String full = run("full", batches, guardrails, MatchWeights.DEFAULTS, WeightEstimation.DEFAULTS);
        System.out.println("identity-dev deterministic rules only:         " + deterministic);
        System.out.println("identity-dev probabilistic, hand-set weights:  " + handSet);
        System.out.println("identity-dev probabilistic, estimated weights: " + full);
        // floors just under what is reached today (see README: pairwise P / F1, B-cubed F1)
        // reached: pairwise P 0.99829 F1 0.93438, B-cubed F1 0.91905, 34 over-merged clusters (10 more than
        // before personal devices: an anonymous visit on a household tablet one member alone had used on 4 days);
        // 2026-12-06: P 0.99844 R 0.87818 F1 0.93446, 33 over-merged, and with per-type limits counting only the
        // values held at the event's time P 0.99844 R 0.87828 F1 0.93452, B-cubed F1 0.91910, 33 over-merged; the
        // same with placeholder companions counted at the event's time too (none of the set's walk-in phones is slow),
        // and with members glued by a value quarantined after it linked split (none here: the listed values are
        // quarantined before they link anyone); the same with stores counted within stores-window (2026-12-07)
        assertThat(metric(full, "pairwise", "precision")).isGreaterThanOrEqualTo(0.998);
        assertThat(metric(full, "pairwise", "f1")).isGreaterThanOrEqualTo(0.934);
        assertThat(metric(full, "bcubed", "f1")).isGreaterThanOrEqualTo(0.918);
        assertThat(metric(full, "", "over_merged_clusters")).isLessThanOrEqualTo(36);
        // no cluster glued by a placeholder
        assertThat(metric(full, "", "largest_cluster_persons")).isLessThanOrEqualTo(2);
        // the probabilistic links must pay for themselves
        assertThat(metric(full, "pairwise", "f1")).isGreaterThan(metric(deterministic, "pairwise", "f1") + 0.03);
    }

    /**
     * Without the configured list of placeholder values: automatic detection alone (stores, other strong identifiers,
     * counted across batches) must keep the set's walk-in phones from gluing guests into one member. Rows whose
     * placeholder is no phone number at all (00000000000) are then rejected, as the import would.
     */
    @Test
    void withoutTheBlockedListDetectionAloneKeepsPlaceholdersFromGluingPeople() throws Exception {
        Path events = DATASET.resolve("events.csv.gz");
        assumeTrue(Files.exists(events), "identity-dev data set not present");
        StitchGuardrails d = StitchGuardrails.DEFAULTS;
        StitchGuardrails unlisted = new StitchGuardrails(Set.of(), d.maxStoresPerValue(), d.maxIdentitiesPerValue(),
                d.maxPerMember(), d.reissueGap(), d.storesWindow());
        String scores = run("unlisted", read(events, new IdentifierNormalizer("CN", unlisted::isBlocked)), unlisted,
                MatchWeights.DEFAULTS, WeightEstimation.DEFAULTS);
        System.out.println("identity-dev without blocked values, estimated weights: " + scores);
        // in batches of 5,000 the set's walk-in phones recur often enough within one batch: the count within a batch
        // alone kept this too (largest cluster 1 person); the count across batches matters for the small batches of
        // the live path (PlaceholderAcrossRequestsTest)
        assertThat(metric(scores, "", "largest_cluster_persons")).isLessThanOrEqualTo(2);
        // the largest cluster says nothing of the others: three walk-in phones found after they had linked 51 to 71
        // events glued members of up to 38 people (P 0.99115 R 0.87397 F1 0.92888, 40 over-merged) until the members
        // they glued were split after the batch that found them (3 members, 63 parts): P 0.99829 R 0.87393 F1 0.93198,
        // 34 over-merged. Stores counted within stores-window before each event (2026-12-07): with P30D two walk-in
        // phones, at 20 and 21 stores over the year but never more than 10 within 30 days, glued their guests
        // (P 0.93161, 36 over-merged); with P90D (14 stores within 90 days) they are caught: P 0.998449 R 0.873925
        // F1 0.932046, 32 over-merged, 3 members unglued (67 parts)
        assertThat(metric(scores, "pairwise", "precision")).isGreaterThanOrEqualTo(0.998);
        assertThat(metric(scores, "", "over_merged_clusters")).isLessThanOrEqualTo(36);
    }

    /** The valid rows of the file as the import sees them, in batches. */
    static List<List<ChannelEvent>> read(Path file, IdentifierNormalizer normalizer) throws IOException {
        EventFormat format = new EventFormat(ZoneId.of("Asia/Shanghai"));
        ChannelEventRules rules = new ChannelEventRules(normalizer);
        List<List<ChannelEvent>> batches = new ArrayList<>();
        List<ChannelEvent> batch = new ArrayList<>(BATCH);
        int rejected = 0;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
            for (CSVRecord row : CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(reader)) {
                EventFormat.Parsed parsed = format.parse(row.toMap());
                if (!parsed.errors().isEmpty() || !rules.check(parsed.event()).isEmpty()) {
                    rejected++; // the import rejects the row: it resolves to no member
                    continue;
                }
                batch.add(parsed.event());
                if (batch.size() == BATCH) {
                    batches.add(batch);
                    batch = new ArrayList<>(BATCH);
                }
            }
        }
        if (!batch.isEmpty()) {
            batches.add(batch);
        }
        System.out.println("identity-dev: " + batches.stream().mapToInt(List::size).sum() + " valid rows, " + rejected
                + " rejected rows");
        return batches;
    }

    /** Stitches batch after batch through one graph, writes the predictions, returns the scorer's JSON (see {@link #score}). */
    static String run(String name, List<List<ChannelEvent>> batches, StitchGuardrails guardrails, MatchWeights weights)
            throws Exception {
        return run(name, batches, guardrails, weights, WeightEstimation.OFF);
    }

    static String run(String name, List<List<ChannelEvent>> batches, StitchGuardrails guardrails, MatchWeights weights,
            WeightEstimation estimation) throws Exception {
        IdentifierNormalizer normalizer = new IdentifierNormalizer("CN", guardrails::isBlocked);
        IdentityGraph graph = new IdentityGraph(guardrails, weights, estimation);
        StoredGraph stored = new StoredGraph();
        AtomicLong next = new AtomicLong();
        Map<String, String> memberOf = new HashMap<>();
        Set<String> imported = new HashSet<>();
        Deque<List<EventRow>> recentOrderLines = new ArrayDeque<>();
        Map<String, String> repeatedBy = new HashMap<>();
        Map<String, String> retractedTo = new HashMap<>(); // stored lines flagged after they were counted
        Map<String, Integer> mergesByRule = new HashMap<>();
        long events = 0;
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        long started = System.nanoTime();
        long startedCpu = cpu.getCurrentThreadCpuTime();
        for (List<ChannelEvent> batch : batches) {
            List<ChannelEvent> fresh = new ArrayList<>(batch.size());
            for (ChannelEvent event : batch) {
                if (imported.add(key(event))) {
                    fresh.add(event); // a re-delivery changes nothing
                }
            }
            List<EventRow> nearby = new ArrayList<>();
            // as the import's query: the lines paired before name their partner
            recentOrderLines.forEach(rows -> rows.stream().map(row -> repeatedBy.containsKey(row.reference())
                            || retractedTo.containsKey(row.reference())
                    ? new EventRow(row.source(), row.eventId(), row.memberId(), row.type(), row.occurredAt(),
                            row.storeId(), row.orderId(), row.payload(),
                            retractedTo.getOrDefault(row.reference(), row.duplicateOf()), null,
                            repeatedBy.get(row.reference()))
                    : row).forEach(nearby::add));
            BatchLinker.Linked linked = BatchLinker.link(graph, normalizer, fresh, nearby, ORDER_WINDOW,
                    () -> "m" + next.incrementAndGet());
            linked.outcome().assignments().forEach(a -> memberOf.put(key(fresh.get(a.index())), a.memberId()));
            stored.written(graph, linked.outcome(), linked.evidence(), memberOf);
            for (MergeRecord merge : linked.outcome().merges()) {
                mergesByRule.merge(merge.rule(), 1, Integer::sum);
            }
            events += linked.outcome().assignments().size();
            for (int i = 0; i < fresh.size(); i++) {
                if (linked.duplicateOf()[i] != null) {
                    repeatedBy.put(linked.duplicateOf()[i], key(fresh.get(i)));
                }
            }
            for (EventRow row : linked.retracted()) {
                repeatedBy.put(row.duplicateOf(), row.reference());
                retractedTo.put(row.reference(), row.duplicateOf());
            }
            recentOrderLines.addLast(orderLines(fresh, linked.duplicateOf(), memberOf));
            if (recentOrderLines.size() > 2) {
                recentOrderLines.removeFirst();
            }
            if (stored.anyToUnglue()) { // as the service after the batch's commit: split, then the graph rebuilt
                graph = stored.unglue(memberOf, () -> "m" + next.incrementAndGet(), guardrails, weights, estimation);
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        double cpuSeconds = (cpu.getCurrentThreadCpuTime() - startedCpu) / 1e9;
        Files.createDirectories(OUT);
        Path predictions = OUT.resolve("predictions-" + name + ".csv");
        try (Writer writer = Files.newBufferedWriter(predictions)) {
            writer.write("event_id,source,member_id\n");
            for (Map.Entry<String, String> entry : memberOf.entrySet()) {
                String[] sourceAndId = entry.getKey().split(":", 2);
                // the member an event has now: its assigned member followed to the survivor of any later merge
                writer.write(sourceAndId[1] + "," + sourceAndId[0] + "," + graph.root(entry.getValue()) + "\n");
            }
        }
        // CPU time of the stitching thread as well: the wall clock of a shared machine says little
        System.out.printf(Locale.ROOT, "identity-dev %s: stitched %d events in memory in %.2f s wall (%.0f events/s), "
                + "%.2f s CPU (%.0f events/s per core), merges %s, counted order lines retracted %d, members unglued %d "
                + "(parts split off %d)%n", name, events, seconds, events / seconds, cpuSeconds, events / cpuSeconds,
                mergesByRule, retractedTo.size(), stored.splits, stored.partsSplitOff);
        if (estimation.enabled()) {
            System.out.println("identity-dev " + name + ": weights at the end " + graph.currentWeights());
            graph.lastEstimate().ifPresent(e -> System.out.printf(Locale.ROOT,
                    "identity-dev %s: share of matches among candidate pairs %.3f, m %s, u %s%n", name, e.lambda(),
                    java.util.Arrays.deepToString(e.m()), java.util.Arrays.deepToString(e.u())));
        }
        return score(predictions);
    }

    /** What the import's nearby-order-lines query can return for the next batch: order lines, duplicates naming their original. */
    static List<EventRow> orderLines(List<ChannelEvent> fresh, String[] duplicateOf, Map<String, String> memberOf) {
        List<EventRow> rows = new ArrayList<>();
        for (int i = 0; i < fresh.size(); i++) {
            ChannelEvent event = fresh.get(i);
            if (event.getType() == EventType.EVENT_TYPE_ORDER) {
                String[] sourceAndId = key(event).split(":", 2);
                rows.add(new EventRow(sourceAndId[0], sourceAndId[1], memberOf.get(key(event)), "order",
                        Instant.ofEpochSecond(event.getOccurredAt().getSeconds()), event.getStoreId(),
                        event.getLine().getOrderId(), event.toByteArray(), duplicateOf[i], null));
            }
        }
        return rows;
    }

    static String key(ChannelEvent event) {
        return event.getSource().name().substring("SOURCE_".length()).toLowerCase(Locale.ROOT) + ":" + event.getEventId();
    }

    static String score(Path predictions) throws Exception {
        return score(DATASET.resolve("truth.csv.gz"), predictions);
    }

    /**
     * The shared scorer's JSON for these predictions against this truth. Skips the test (an assumption) only when
     * python3 or the scorer file is missing; fails with what the scorer wrote to stderr when it ran and failed or did
     * not end in time, since predictions the scorer refuses are a bug, not a missing tool.
     */
    static String score(Path truth, Path predictions) throws Exception {
        assumeTrue(Files.exists(SCORER), "the scorer " + SCORER + " is not present");
        Files.createDirectories(OUT);
        // to files, not pipes: a pipe read to its end would wait past any time-out, and stderr could fill its pipe
        Path out = Files.createTempFile(OUT, "scorer-", ".out");
        Path err = Files.createTempFile(OUT, "scorer-", ".err");
        try {
            Process process;
            try {
                process = new ProcessBuilder("python3", SCORER.toString(), truth.toString(), predictions.toString())
                        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            } catch (IOException e) {
                return abort("python3 is not available: " + e.getMessage());
            }
            if (!process.waitFor(SCORER_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                return fail("the scorer did not end within " + SCORER_TIMEOUT_SECONDS + " s; stderr: "
                        + Files.readString(err));
            }
            if (process.exitValue() == 127) { // a pyenv shim or a shell finding no python3 to run
                return abort("python3 is not available: " + Files.readString(err).trim());
            }
            if (process.exitValue() != 0) {
                return fail("the scorer exited with " + process.exitValue() + " on " + predictions + "; stderr: "
                        + Files.readString(err).trim());
            }
            return Files.readString(out).trim();
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** A number out of the scorer's JSON, e.g. ("pairwise", "f1"), or ("", "over_merged_clusters") at the top. */
    static double metric(String json, String group, String name) {
        int from = group.isEmpty() ? 0 : json.indexOf("\"" + group + "\"");
        int at = json.indexOf("\"" + name + "\":", from) + name.length() + 3;
        int end = at;
        while (end < json.length() && "0123456789.eE-+ ".indexOf(json.charAt(end)) >= 0) {
            end++;
        }
        return Double.parseDouble(json.substring(at, end).trim());
    }
}
