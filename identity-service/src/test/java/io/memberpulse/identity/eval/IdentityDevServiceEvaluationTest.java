package io.memberpulse.identity.eval;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.memberpulse.identity.domain.IdentifierNormalizer;
import io.memberpulse.identity.domain.MatchWeights;
import io.memberpulse.identity.domain.StitchGuardrails;
import io.memberpulse.identity.domain.WeightEstimation;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The dev set through the real service: REST CSV import in chunks (as the launcher sends them), then
 * each event's current member read back with SQL (channel_event.member_id followed along
 * member.merged_into), scored like the in-memory run. Slow (a full import), so tagged benchmark:
 * {@code ./mvnw verify -pl identity-service -am -Dexcluded.test.groups=none -Dgroups=benchmark
 * -Dtest=IdentityDevServiceEvaluationTest -Dsurefire.failIfNoSpecifiedTests=false}, alone: it needs an
 * empty identity database.
 */
@QuarkusTest
@Tag("benchmark")
class IdentityDevServiceEvaluationTest {
    static final int CHUNK_ROWS = 5_000;

    @Inject
    Pool pool;

    @Test
    void theServiceStitchesTheDevSetAsTheInMemoryRunDoes() throws Exception {
        Path events = IdentityDevEvaluationTest.DATASET.resolve("events.csv.gz");
        assumeTrue(Files.exists(events), "identity-dev data set not present");
        // Other people already in the graph (e.g. ImportBenchmarkTest's copies in the same JVM) would be
        // stitched with the dev set and the score would say nothing about the dev set alone.
        long present = pool.query("SELECT count(*) FROM channel_event").execute().await().indefinitely()
                .iterator().next().getLong(0);
        assertThat(present).as("events already in the identity database: run this evaluation alone").isZero();
        long started = System.nanoTime();
        long rows = 0;
        CSVRecord hanziRow = null;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(events)), StandardCharsets.UTF_8))) {
            String header = reader.readLine();
            StringBuilder chunk = new StringBuilder(header).append('\n');
            int inChunk = 0;
            String line;
            while ((line = reader.readLine()) != null) {
                if (hanziRow == null && line.chars().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN)) {
                    hanziRow = CSVFormat.RFC4180.builder().setHeader(header.split(",")).get().parse(new StringReader(line))
                            .getRecords().get(0);
                }
                chunk.append(line).append('\n');
                rows++;
                // the dev set has no quoted newlines, so a line is a row
                if (++inChunk == CHUNK_ROWS) {
                    post(chunk.toString());
                    chunk = new StringBuilder(header).append('\n');
                    inChunk = 0;
                }
            }
            if (inChunk > 0) {
                post(chunk.toString());
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf(Locale.ROOT, "identity-dev through REST: %d rows imported in %.1f s (%.0f rows/s)%n", rows,
                seconds, rows / seconds);

        // what the service stored is what the file says, hanzi included
        assertThat(hanziRow).isNotNull();
        byte[] stored = pool.preparedQuery("SELECT payload FROM channel_event WHERE source = $1 AND event_id = $2")
                .execute(Tuple.of(hanziRow.get("source"), hanziRow.get("event_id"))).await().indefinitely()
                .iterator().next().getBuffer(0).getBytes();
        ChannelEvent storedEvent = ChannelEvent.parseFrom(stored);
        assertThat(storedEvent.getProfile().getName() + storedEvent.getProfile().getAddress())
                .isEqualTo(hanziRow.get("name") + hanziRow.get("address"));

        Path predictions = IdentityDevEvaluationTest.OUT.resolve("predictions-service.csv");
        Files.createDirectories(IdentityDevEvaluationTest.OUT);
        var current = pool.query("""
                WITH RECURSIVE chain(id, root) AS (
                  SELECT id, id FROM member WHERE merged_into IS NULL
                  UNION ALL SELECT m.id, c.root FROM member m JOIN chain c ON m.merged_into = c.id)
                SELECT e.event_id, e.source, c.root FROM channel_event e JOIN chain c ON c.id = e.member_id""")
                .execute().await().indefinitely();
        try (Writer writer = Files.newBufferedWriter(predictions)) {
            writer.write("event_id,source,member_id\n");
            for (Row row : current) {
                writer.write(row.getString(0) + "," + row.getString(1) + "," + row.getString(2) + "\n");
            }
        }
        String score = IdentityDevEvaluationTest.score(predictions);
        System.out.println("identity-dev through the service: " + score);
        // reached: pairwise P 0.99829 F1 0.93438, B-cubed F1 0.91905, 34 over-merged (the same as in memory)
        assertThat(IdentityDevEvaluationTest.metric(score, "pairwise", "precision")).isGreaterThanOrEqualTo(0.998);
        assertThat(IdentityDevEvaluationTest.metric(score, "pairwise", "f1")).isGreaterThanOrEqualTo(0.934);
        assertThat(IdentityDevEvaluationTest.metric(score, "bcubed", "f1")).isGreaterThanOrEqualTo(0.918);
        assertThat(IdentityDevEvaluationTest.metric(score, "", "over_merged_clusters")).isLessThanOrEqualTo(36);
        assertThat(IdentityDevEvaluationTest.metric(score, "", "largest_cluster_persons")).isLessThanOrEqualTo(2);
        // the service stitches what the in-memory run stitches: nothing lost between the upload and the graph
        String inMemory = IdentityDevEvaluationTest.run("service-reference", IdentityDevEvaluationTest.read(events,
                new IdentifierNormalizer("CN", StitchGuardrails.DEFAULTS::isBlocked)), StitchGuardrails.DEFAULTS,
                MatchWeights.DEFAULTS, WeightEstimation.DEFAULTS);
        System.out.println("identity-dev in memory, for reference: " + inMemory);
        assertThat(IdentityDevEvaluationTest.metric(score, "pairwise", "f1"))
                .isCloseTo(IdentityDevEvaluationTest.metric(inMemory, "pairwise", "f1"), within(0.001));
    }

    /**
     * Posts one chunk as UTF-8 bytes: given a String and a bare "text/csv", RestAssured encodes the body in
     * ISO-8859-1, which turns every hanzi name, address and city into '?' (the service then compared
     * names and addresses that all read alike, and scored 1 point of F1 under the in-memory run).
     */
    static void post(String csv) {
        given().contentType("text/csv; charset=UTF-8").body(csv.getBytes(StandardCharsets.UTF_8)).post("/events/csv")
                .then().statusCode(200).body("rejected", org.hamcrest.Matchers.equalTo(0));
    }
}
