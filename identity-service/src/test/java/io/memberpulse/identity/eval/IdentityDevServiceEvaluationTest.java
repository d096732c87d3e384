package io.memberpulse.identity.eval;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
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
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(events)), StandardCharsets.UTF_8))) {
            String header = reader.readLine();
            StringBuilder chunk = new StringBuilder(header).append('\n');
            int inChunk = 0;
            String line;
            while ((line = reader.readLine()) != null) {
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
        if (score != null) {
            // reached: pairwise P 0.99926 F1 0.9201, B-cubed F1 0.9073
            assertThat(IdentityDevEvaluationTest.metric(score, "pairwise", "precision")).isGreaterThanOrEqualTo(0.999);
            assertThat(IdentityDevEvaluationTest.metric(score, "pairwise", "f1")).isGreaterThanOrEqualTo(0.919);
            assertThat(IdentityDevEvaluationTest.metric(score, "bcubed", "f1")).isGreaterThanOrEqualTo(0.906);
        }
    }

    static void post(String csv) {
        given().contentType("text/csv").body(csv).post("/events/csv").then().statusCode(200);
    }
}
