package io.memberpulse.identity.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.memberpulse.identity.domain.BatchStitcher;
import io.memberpulse.identity.domain.Identifier;
import io.memberpulse.identity.domain.IdentifierNormalizer;
import io.memberpulse.identity.domain.InvalidIdentifierException;
import io.memberpulse.identity.domain.RawIdentifiers;
import io.memberpulse.identity.domain.StitchGuardrails;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

/**
 * Evaluation harness: feeds the identity-dev set through the pure stitching logic in memory (the
 * same normalisation and stitcher the import uses, no Quarkus), writes
 * {@code target/identity-dev/predictions-*.csv} and scores it with the shared scorer when python3
 * is there. Skipped when the data set is absent. Floors sit just under what is reached today.
 */
class IdentityDevEvaluationTest {
    static final Path DATASET = Path.of(System.getProperty("memberpulse.identity-dev",
            "../../shared/datasets/identity-dev"));
    static final Path SCORER = Path.of(System.getProperty("memberpulse.score-identity",
            "../../shared/tools/score_identity.py"));
    static final Path OUT = Path.of("target/identity-dev");

    /** One parsed, valid, member-bearing event of the file. */
    record DevEvent(String source, String eventId, BatchStitcher.EventIdentifiers identifiers) {
    }

    @Test
    void stitchesTheDevSetAndScoresIt() throws Exception {
        Path events = DATASET.resolve("events.csv.gz");
        assumeTrue(Files.exists(events), "identity-dev data set not present");
        String baseline = run("baseline", read(events, new IdentifierNormalizer("CN")), StitchGuardrails.NONE);
        StitchGuardrails guardrails = StitchGuardrails.DEFAULTS;
        String guarded = run("guarded", read(events, new IdentifierNormalizer("CN", guardrails::isBlocked)), guardrails);
        String batched = run("guarded-batched", read(events, new IdentifierNormalizer("CN", guardrails::isBlocked)),
                guardrails, 5_000);
        StitchGuardrails detectionOnly = new StitchGuardrails(java.util.Set.of(), guardrails.maxStoresPerValue(),
                guardrails.maxIdentitiesPerValue(), guardrails.maxPerMember(), guardrails.reissueGap());
        String unlisted = run("detection-only-batched", read(events, new IdentifierNormalizer("CN")), detectionOnly, 5_000);
        System.out.println("identity-dev guarded without the blocked list, in batches of 5000: " + unlisted);
        System.out.println("identity-dev baseline: " + baseline);
        System.out.println("identity-dev guarded, imported in batches of 5000: " + batched);
        System.out.println("identity-dev guarded:  " + guarded);
        if (guarded != null) {
            // floors just under what the guardrails reach today (pairwise P 0.9998, F1 0.767; 10 over-merged)
            assertThat(metric(guarded, "pairwise", "precision")).isGreaterThanOrEqualTo(0.999);
            assertThat(metric(guarded, "pairwise", "f1")).isGreaterThanOrEqualTo(0.76);
            assertThat(metric(guarded, "bcubed", "f1")).isGreaterThanOrEqualTo(0.80);
            assertThat(metric(guarded, "", "over_merged_clusters")).isLessThanOrEqualTo(12);
            // no cluster glued by a placeholder
            assertThat(metric(guarded, "", "largest_cluster_persons")).isLessThanOrEqualTo(2);
        }
    }

    static List<DevEvent> read(Path file, IdentifierNormalizer normalizer) throws IOException {
        List<DevEvent> events = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int rejected = 0;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
            for (CSVRecord row : CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(reader)) {
                String source = row.get("source");
                String eventId = row.get("event_id");
                if ("stockout".equals(row.get("type")) || !seen.add(source + '\u001f' + eventId)) {
                    continue;
                }
                RawIdentifiers raw = new RawIdentifiers(row.get("phone"), row.get("union_id"), row.get("openid"),
                        row.get("member_no"), row.get("device_id"), row.get("platform_uid"), row.get("email"));
                List<Identifier> identifiers;
                try {
                    identifiers = normalizer.normalize(raw);
                } catch (InvalidIdentifierException e) {
                    rejected++; // the import rejects the row: it resolves to no member
                    continue;
                }
                events.add(new DevEvent(source, eventId, new BatchStitcher.EventIdentifiers(events.size(), identifiers,
                        OffsetDateTime.parse(row.get("occurred_at")).toInstant(), row.get("store_id"))));
            }
        }
        System.out.println("identity-dev: " + events.size() + " member-bearing events, " + rejected + " rejected rows");
        return events;
    }

    /** Stitches, writes the predictions, returns the scorer's JSON (null without python3). */
    static String run(String name, List<DevEvent> events, StitchGuardrails guardrails) throws Exception {
        return run(name, events, guardrails, events.size());
    }

    /** Stitches in batches as an import does, carrying what the store would know from batch to batch. */
    static String run(String name, List<DevEvent> events, StitchGuardrails guardrails, int batchSize) throws Exception {
        AtomicLong next = new AtomicLong();
        long started = System.nanoTime();
        String[] memberOf = new String[events.size()];
        Map<Identifier, String> owners = new HashMap<>();
        Map<Identifier, Instant> lastSeen = new HashMap<>();
        Set<Identifier> quarantined = new HashSet<>();
        Map<Identifier, Set<String>> stores = new HashMap<>();
        for (int from = 0; from < events.size(); from += batchSize) {
            List<BatchStitcher.EventIdentifiers> batch = events.subList(from, Math.min(events.size(), from + batchSize))
                    .stream().map(DevEvent::identifiers).toList();
            BatchStitcher.Result result = BatchStitcher.stitch(batch, new BatchStitcher.Known(owners, lastSeen, quarantined, stores),
                    () -> "m" + next.incrementAndGet(), guardrails);
            result.assignments().forEach(a -> memberOf[a.index()] = a.memberId());
            owners.putAll(result.newLinks());
            quarantined.addAll(result.quarantined());
            for (BatchStitcher.EventIdentifiers event : batch) {
                for (Identifier identifier : event.identifiers()) {
                    if (identifier.type().isStrong() && event.storeId() != null && !event.storeId().isBlank()) {
                        stores.computeIfAbsent(identifier, i -> new HashSet<>()).add(event.storeId());
                    }
                    if (owners.containsKey(identifier) && owners.get(identifier).equals(memberOf[event.index()])) {
                        lastSeen.merge(identifier, event.occurredAt(), (a, b) -> a.isAfter(b) ? a : b);
                    }
                }
            }
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        Files.createDirectories(OUT);
        Path predictions = OUT.resolve("predictions-" + name + ".csv");
        try (Writer writer = Files.newBufferedWriter(predictions)) {
            writer.write("event_id,source,member_id\n");
            for (int i = 0; i < events.size(); i++) {
                writer.write(events.get(i).eventId() + "," + events.get(i).source() + "," + memberOf[i] + "\n");
            }
        }
        System.out.println("identity-dev " + name + ": stitched " + events.size() + " events in " + millis
                + " ms, quarantined " + quarantined.size() + " values");
        return score(predictions);
    }

    static String score(Path predictions) throws Exception {
        if (!Files.exists(SCORER)) {
            return null;
        }
        Process process;
        try {
            process = new ProcessBuilder("python3", SCORER.toString(), DATASET.resolve("truth.csv.gz").toString(),
                    predictions.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            return null; // no python3
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            System.out.println("scorer failed: " + output);
            return null;
        }
        return output;
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
