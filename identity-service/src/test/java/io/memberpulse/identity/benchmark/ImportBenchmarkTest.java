package io.memberpulse.identity.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.proto.identity.v1.Identifiers;
import io.memberpulse.proto.identity.v1.IdentityServiceGrpc;
import io.memberpulse.proto.identity.v1.ResolveRequest;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A full import end to end through the service, as the launcher sends it (REST CSV in chunks of
 * 50,000 rows): identity-dev replicated {@code COPIES} times (4 = ~287k events; 40 = ~2.9M), each copy
 * with its own event ids, order ids and identifiers, so each copy is new people. Then 2,000 resolves
 * over REST and over gRPC. Prints events/s, resolve p50/p99 and the most heap in use in this JVM (the
 * service and, in tests, the Kafka broker). Timing is a figure, not an assertion.
 * Run: ./mvnw verify -pl identity-service -am -Dexcluded.test.groups=none -Dgroups=benchmark
 *        [-Dbenchmark.copies=40] -Dsurefire.failIfNoSpecifiedTests=false -Dtest=ImportBenchmarkTest
 */
@QuarkusTest
@Tag("benchmark")
class ImportBenchmarkTest {
    static final Path EVENTS = Path.of(System.getProperty("memberpulse.identity-dev",
            "../../shared/datasets/identity-dev")).resolve("events.csv.gz");
    static final int COPIES = Integer.getInteger("benchmark.copies", 4);
    static final int CHUNK = Integer.getInteger("benchmark.chunk", 50_000);
    static final int RESOLVES = 2_000;
    static final ObjectMapper JSON = new ObjectMapper();
    /** java.net.http sends no token of its own: the analyst's, as the launcher sends its own. */
    static final String BEARER = "Bearer " + AuthTestResource.analyst();

    @Inject
    Pool pool;

    @Inject
    MeterRegistry registry;

    @Test
    void importAndResolve() throws Exception {
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
        List<String> memberNos = new ArrayList<>();
        long events = 0, accepted = 0;
        // The upload is written out first, as the launcher finds a file: the timed loop only sends it.
        Path upload = Files.createTempFile("identity-benchmark", ".chunks");
        int[] chunksPerCopy = new int[COPIES];
        try (var out = new java.io.DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(upload)))) {
            for (int copy = 0; copy < COPIES; copy++) {
                Replica replica = new Replica(run + "c" + copy, copy);
                for (int from = 0; from < rows.size(); from += CHUNK) {
                    List<CSVRecord> chunk = rows.subList(from, Math.min(rows.size(), from + CHUNK));
                    StringWriter body = new StringWriter(chunk.size() * 200);
                    try (CSVPrinter printer = new CSVPrinter(body, CSVFormat.RFC4180.builder().setHeader(header).get())) {
                        for (CSVRecord row : chunk) {
                            printer.printRecord(replica.rewrite(row, header));
                            if (copy == COPIES - 1 && !row.get("member_no").isBlank() && memberNos.size() < RESOLVES) {
                                memberNos.add(replica.id(row.get("member_no")));
                            }
                        }
                    }
                    byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
                    out.writeInt(chunk.size());
                    out.writeInt(bytes.length);
                    out.write(bytes);
                    chunksPerCopy[copy]++;
                }
            }
        }
        rows = null;
        System.gc();
        HeapSampler heap = new HeapSampler();
        Map<Integer, Long> databaseCpuBefore = cpuNanos(backendPids());
        long jvmCpuBefore = jvmCpuNanos();
        Map<String, Long> threadsBefore = threadTicks();
        long started = System.nanoTime();
        try (var in = new java.io.DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(upload)))) {
            for (int copy = 0; copy < COPIES; copy++) {
                for (int c = 0; c < chunksPerCopy[copy]; c++) {
                    int size = in.readInt();
                    byte[] body = in.readNBytes(in.readInt());
                    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(csv).header("Content-Type", "text/csv")
                            .header("Authorization", BEARER)
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(answer.statusCode()).isEqualTo(200);
                    JsonNode summary = JSON.readTree(answer.body());
                    accepted += summary.path("accepted").asLong();
                    events += size;
                }
                System.out.printf("  copy %d of %d imported: %,d events in %.1f s%n", copy + 1, COPIES, events,
                        (System.nanoTime() - started) / 1e9);
            }
        } finally {
            Files.deleteIfExists(upload);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Map<String, Double> cpuByPart = cpuByPart(threadsBefore, threadTicks());
        long importHeap = heap.stop();
        double jvmCpu = (jvmCpuNanos() - jvmCpuBefore) / 1e9;
        // the backends now, those opened during the import included (the import reads on other connections than it writes)
        Map<Integer, Long> databaseCpuAfter = cpuNanos(backendPids());
        double databaseCpu = databaseCpuAfter.entrySet().stream()
                .mapToLong(e -> e.getValue() - databaseCpuBefore.getOrDefault(e.getKey(), 0L)).sum() / 1e9;
        System.out.printf("identity import CPU: this JVM (service, broker, benchmark client) %.1f s, PostgreSQL backends "
                + "of this database %.1f s, over %.1f s; load average now %s%n", jvmCpu, databaseCpu, seconds,
                loadAverage());
        System.out.printf("identity import CPU in this JVM by part: %s%n", cpuByPart.entrySet().stream()
                .map(e -> String.format("%s %.1f s", e.getKey(), e.getValue())).collect(Collectors.joining(", ")));
        System.out.printf("identity import stages, summed over batches (each stage runs on its own thread, so they overlap): "
                + "%s%n", Stream.of("read", "link", "write").map(stage -> String.format("%s %.1f s", stage, registry
                        .get("memberpulse.identity.import.stage").tag("stage", stage).timer().totalTime(TimeUnit.SECONDS)))
                .collect(Collectors.joining(", ")));
        System.out.printf("identity import benchmark: %,d events (%,d accepted) in %.1f s = %,.0f events/s; "
                + "heap in use at most during the import %,d MB (sampled every 20 ms; max %,d MB)%n", events, accepted, seconds, events / seconds,
                importHeap, Runtime.getRuntime().maxMemory() >> 20);

        System.gc();
        System.out.printf("identity import benchmark: heap after GC %,d MB (%,d events imported)%n",
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20, events);
                long[] rest = new long[memberNos.size()];
        Random random = new Random(7);
        for (int i = 0; i < 200; i++) { // warm-up
            http.send(resolve(memberNos.get(random.nextInt(memberNos.size()))), HttpResponse.BodyHandlers.discarding());
        }
        for (int i = 0; i < rest.length; i++) {
            HttpRequest request = resolve(memberNos.get(i));
            long t = System.nanoTime();
            HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
            rest[i] = System.nanoTime() - t;
            assertThat(answer.statusCode()).isEqualTo(200);
        }
        long[] grpc = new long[memberNos.size()];
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext()
                .intercept(AuthTestResource.as(AuthTestResource.analyst())).build();
        try {
            var stub = IdentityServiceGrpc.newBlockingStub(channel);
            for (int i = 0; i < 200; i++) {
                stub.resolve(request(memberNos.get(random.nextInt(memberNos.size()))));
            }
            for (int i = 0; i < grpc.length; i++) {
                ResolveRequest request = request(memberNos.get(i));
                long t = System.nanoTime();
                assertThat(stub.resolve(request).getFound()).isTrue();
                grpc[i] = System.nanoTime() - t;
            }
        } finally {
            channel.shutdownNow();
        }
        System.out.printf("identity resolve benchmark over %,d members: REST p50 %.2f ms, p99 %.2f ms; "
                + "gRPC p50 %.2f ms, p99 %.2f ms%n", memberNos.size(), percentile(rest, 0.50), percentile(rest, 0.99),
                percentile(grpc, 0.50), percentile(grpc, 0.99));
        rebuildAfterSplit(http, csv, run, events);
        assertThat(accepted).isGreaterThan(events * 9 / 10);
    }

    /**
     * What a split costs at this size: the graph is rebuilt from PostgreSQL by the next write, as after the automatic
     * unglue of a placeholder's guests. Two orders of one new member, the first split off by hand, then one more event:
     * that import's time is mostly the rebuild (the service logs "identity graph loaded ... in N ms" as well).
     */
    private static void rebuildAfterSplit(HttpClient http, URI csv, String run, long stored) throws Exception {
        String header = "event_id,source,type,occurred_at,store_id,member_no,order_id,quantity,paid_amount\n";
        String memberNo = "RB-" + run;
        HttpResponse<String> two = http.send(HttpRequest.newBuilder(csv).header("Content-Type", "text/csv")
                .header("Authorization", BEARER).POST(HttpRequest.BodyPublishers.ofString(header
                        + "rb1-" + run + ",pos,order,2025-06-01T10:00:00+08:00,s001," + memberNo + ",rb1-" + run + ",1,10.00\n"
                        + "rb2-" + run + ",pos,order,2025-06-02T10:00:00+08:00,s001," + memberNo + ",rb2-" + run
                        + ",1,10.00\n")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(two.statusCode()).isEqualTo(200);
        String memberId = JSON.readTree(http.send(resolve(memberNo), HttpResponse.BodyHandlers.ofString()).body())
                .path("memberId").asText();
        long splitStarted = System.nanoTime();
        HttpResponse<String> split = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port
                + "/members/" + memberId + "/split")).header("Content-Type", "application/json").header("Authorization", BEARER)
                .POST(HttpRequest.BodyPublishers.ofString("{\"parts\": [{\"eventKeys\": [\"pos:rb1-" + run
                        + "\"]}], \"reason\": \"benchmark: the cost of a rebuild\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(split.statusCode()).isEqualTo(200);
        double splitSeconds = (System.nanoTime() - splitStarted) / 1e9;
        System.gc();
        HeapSampler heap = new HeapSampler();
        long started = System.nanoTime();
        HttpResponse<String> next = http.send(HttpRequest.newBuilder(csv).header("Content-Type", "text/csv")
                .header("Authorization", BEARER).POST(HttpRequest.BodyPublishers.ofString(header
                        + "rb3-" + run + ",pos,order,2025-06-03T10:00:00+08:00,s001," + memberNo + ",rb3-" + run
                        + ",1,10.00\n")).build(), HttpResponse.BodyHandlers.ofString());
        double rebuildSeconds = (System.nanoTime() - started) / 1e9;
        assertThat(next.statusCode()).isEqualTo(200);
        System.out.printf("identity graph rebuild after a split, %,d events stored: split %.2f s, the next import (one "
                + "event, the graph rebuilt from PostgreSQL) %.2f s, heap in use at most meanwhile %,d MB%n", stored,
                splitSeconds, rebuildSeconds, heap.stop());
    }

    /**
     * CPU ticks (user + system) of each thread of this JVM by "tid:name" (Linux; empty elsewhere): the JIT
     * compiler and GC threads are not Java threads, so the management beans do not see them.
     */
    private static Map<String, Long> threadTicks() {
        Map<String, Long> ticks = new HashMap<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    ticks.put(task.getFileName() + ":" + name, cpuTicks(stat));
                } catch (java.io.IOException | RuntimeException ended) {
                    // the thread ended meanwhile
                }
            }
        } catch (java.io.IOException notLinux) {
            return Map.of();
        }
        return ticks;
    }

    /** Seconds of CPU per part of this JVM between two {@link #threadTicks} (Linux kernel names are cut at 15 characters). */
    private static Map<String, Double> cpuByPart(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Double> parts = new java.util.LinkedHashMap<>();
        for (String part : List.of("JIT compiler", "GC", "stitching", "HTTP workers", "event loops", "Kafka", "other")) {
            parts.put(part, 0.0);
        }
        after.forEach((thread, ticks) -> {
            String name = thread.substring(thread.indexOf(':') + 1);
            String part = name.contains("CompilerThre") ? "JIT compiler"
                    : name.startsWith("GC ") || name.startsWith("G1 ") ? "GC"
                    : name.startsWith("identity-") ? "stitching"
                    : name.startsWith("executor-threa") ? "HTTP workers"
                    : name.startsWith("vert.x-eventlo") ? "event loops"
                    : name.contains("kafka") ? "Kafka" : "other";
            parts.merge(part, (ticks - before.getOrDefault(thread, 0L)) / 100.0, Double::sum); // USER_HZ = 100
        });
        return parts;
    }

    private static HttpRequest resolve(String memberNo) {
        // in the body: identifiers are refused in the query string
        return HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + "/members/resolve"))
                .header("Authorization", BEARER).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"member_no\": \"" + memberNo + "\"}")).build();
    }

    private static ResolveRequest request(String memberNo) {
        return ResolveRequest.newBuilder().setIdentifiers(Identifiers.newBuilder().setMemberNo(memberNo)).build();
    }

    static double percentile(long[] nanos, double p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    /** The server processes of this test's database (Linux), whose CPU time the import costs too. */
    private List<Integer> backendPids() {
        List<Integer> pids = new ArrayList<>();
        pool.query("SELECT pid FROM pg_stat_activity WHERE datname = current_database()").execute().await().indefinitely()
                .forEach(row -> pids.add(row.getInteger(0)));
        return pids;
    }

    /** User + system CPU time of each of these local processes, from /proc (left out where it cannot be read). */
    private static Map<Integer, Long> cpuNanos(List<Integer> pids) {
        Map<Integer, Long> nanos = new HashMap<>();
        for (int pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
                nanos.put(pid, cpuTicks(stat) * 10_000_000L); // USER_HZ = 100
            } catch (Exception e) {
                // not local, or gone: not counted
            }
        }
        return nanos;
    }

    /** utime + stime, in ticks (USER_HZ = 100), of a process's or thread's /proc stat line. */
    private static long cpuTicks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private static long jvmCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    /**
     * The most heap in use at once, sampled: the pools' own peaks are each pool's at a different moment, and their sum
     * can exceed the heap's maximum.
     */
    private static final class HeapSampler {
        private final ScheduledExecutorService sampler =
                Executors.newSingleThreadScheduledExecutor(task -> {
                    Thread thread = new Thread(task, "heap-sampler");
                    thread.setDaemon(true);
                    return thread;
                });
        private final AtomicLong most = new AtomicLong();

        HeapSampler() {
            sampler.scheduleAtFixedRate(() -> most.accumulateAndGet(
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max), 0, 20, TimeUnit.MILLISECONDS);
        }

        /** Stops sampling; the most heap in use seen, in MB. */
        long stop() {
            sampler.shutdownNow();
            return most.get() >> 20;
        }
    }
}
