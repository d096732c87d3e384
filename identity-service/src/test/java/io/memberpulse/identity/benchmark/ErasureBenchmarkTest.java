package io.memberpulse.identity.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.proto.auth.Roles;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The writer's cost of an erasure: identity-dev imported as ImportBenchmarkTest does ({@code benchmark.copies}, 4 =
 * "1x", ~287k events, untimed), then 20 members erased one after another over REST, each followed by a one-row import
 * (the writer's next write: a graph dropped by the erasure is rebuilt there). Prints p50 and max per erasure, and per
 * erasure with that next import. {@code -Dmemberpulse.identity.erasure.rebuild-graph=true} gives the figure of the
 * rebuild after every erasure, as before the graph erased in place ({@code -Dbenchmark.erasures=} fewer: each rebuild
 * reads every stored event). Timing is a figure, not an assertion.
 * Run: ./mvnw verify -pl identity-service -am -Dexcluded.test.groups=none -Dgroups=benchmark
 *        -Dsurefire.failIfNoSpecifiedTests=false -Dtest=ErasureBenchmarkTest
 */
@QuarkusTest
@Tag("benchmark")
class ErasureBenchmarkTest {
    static final Path EVENTS = ImportBenchmarkTest.EVENTS;
    static final int COPIES = Integer.getInteger("benchmark.copies", 4);
    static final int CHUNK = 50_000;
    static final int ERASURES = Integer.getInteger("benchmark.erasures", 20);
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ANALYST = "Bearer " + AuthTestResource.analyst();
    static final String STEWARD = "Bearer " + AuthTestResource.withRoles(Roles.STEWARD);

    @Inject
    Pool pool;

    @Test
    void twentyErasuresOneAfterAnother() throws Exception {
        assumeTrue(Files.exists(EVENTS), "identity-dev data set not present");
        List<CSVRecord> rows;
        String[] header;
        try (var reader = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(EVENTS)),
                StandardCharsets.UTF_8))) {
            var parser = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(reader);
            header = parser.getHeaderNames().toArray(String[]::new);
            rows = parser.getRecords();
        }
        String run = Long.toString(System.nanoTime() % 100_000, 36);
        HttpClient http = HttpClient.newHttpClient();
        URI csv = URI.create("http://localhost:" + RestAssured.port + "/events/csv");
        Set<String> memberNos = new LinkedHashSet<>();
        long started = System.nanoTime();
        for (int copy = 0; copy < COPIES; copy++) {
            Replica replica = new Replica(run + "e" + copy, copy);
            for (int from = 0; from < rows.size(); from += CHUNK) {
                StringWriter body = new StringWriter();
                try (CSVPrinter printer = new CSVPrinter(body, CSVFormat.RFC4180.builder().setHeader(header).get())) {
                    for (CSVRecord row : rows.subList(from, Math.min(rows.size(), from + CHUNK))) {
                        printer.printRecord(replica.rewrite(row, header));
                        if (copy == COPIES - 1 && !row.get("member_no").isBlank() && memberNos.size() < 200) {
                            memberNos.add(replica.id(row.get("member_no")));
                        }
                    }
                }
                assertThat(post(http, csv, ANALYST, "text/csv", body.toString()).statusCode()).isEqualTo(200);
            }
        }
        rows = null;
        long stored = pool.query("SELECT count(*) FROM channel_event").execute().await().indefinitely()
                .iterator().next().getLong(0);
        System.out.printf("identity erasure benchmark: %d copies imported in %.1f s, %,d events stored in all%n", COPIES,
                (System.nanoTime() - started) / 1e9, stored);

        List<String> members = new ArrayList<>();
        for (String memberNo : memberNos) {
            String member = JSON.readTree(post(http, URI.create("http://localhost:" + RestAssured.port
                    + "/members/resolve"), ANALYST, "application/json", "{\"member_no\": \"" + memberNo + "\"}").body())
                    .path("memberId").asText(null);
            if (member != null && !members.contains(member) && members.size() < ERASURES) {
                members.add(member);
            }
        }
        assertThat(members).hasSize(ERASURES);
        post(http, csv, ANALYST, "text/csv", oneRow(run, -1)); // the graph loaded before the first erasure
        long[] erasure = new long[ERASURES];
        long[] withNextImport = new long[ERASURES];
        for (int i = 0; i < ERASURES; i++) {
            long t = System.nanoTime();
            HttpResponse<String> erased = post(http, URI.create("http://localhost:" + RestAssured.port + "/members/"
                    + members.get(i) + "/erasure"), STEWARD, "application/json", "{\"reference\": \"BENCH-" + run + "-" + i + "\"}");
            erasure[i] = System.nanoTime() - t;
            assertThat(erased.statusCode()).isEqualTo(200);
            HttpResponse<String> next = post(http, csv, ANALYST, "text/csv", oneRow(run, i));
            withNextImport[i] = System.nanoTime() - t;
            assertThat(next.statusCode()).isEqualTo(200);
        }
        System.out.printf("identity erasure benchmark, %d erasures one after another, %,d events stored (%s): "
                + "erasure p50 %.1f ms, max %.1f ms; erasure and the next one-row import p50 %.1f ms, max %.1f ms; "
                + "load average now %s%n", ERASURES, stored,
                Boolean.getBoolean("memberpulse.identity.erasure.rebuild-graph") ? "graph rebuilt after each"
                        : "erased in the live graph",
                ImportBenchmarkTest.percentile(erasure, 0.5), max(erasure), ImportBenchmarkTest.percentile(withNextImport, 0.5),
                max(withNextImport), Files.readString(Path.of("/proc/loadavg")).trim());
    }

    static String oneRow(String run, int i) {
        return "event_id,source,type,occurred_at,store_id,member_no\n" + "eb" + i + "-" + run
                + ",pos,visit,2025-06-01T10:00:00+08:00,s001,EB-" + run + "-" + i + "\n";
    }

    static double max(long[] nanos) {
        long max = 0;
        for (long n : nanos) {
            max = Math.max(max, n);
        }
        return max / 1e6;
    }

    static HttpResponse<String> post(HttpClient http, URI uri, String bearer, String type, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).header("Content-Type", type).header("Authorization", bearer)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
