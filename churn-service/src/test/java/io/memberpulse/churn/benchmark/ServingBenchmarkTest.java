package io.memberpulse.churn.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.devstack.testing.AuthTestResource;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.memberpulse.churn.domain.ChurnScore;
import io.memberpulse.churn.store.ScoreCache;
import io.memberpulse.proto.churn.v1.ChurnServiceGrpc;
import io.memberpulse.proto.churn.v1.GetScoreRequest;
import io.memberpulse.proto.churn.v1.TopRiskRequest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The serving read path (target p99 < 10 ms): 20,000 scored members in 50 stores in Redis, then
 * 5,000 sequential GetScore of random members and 5,000 TopRisk(store, k = 20) of random stores,
 * each over REST and over gRPC, after a warm-up. Prints the latency distribution; asserts only that
 * every answer was right (timing is a figure, not a test).
 * Run: ./mvnw verify -pl churn-service -am -Dsurefire.failIfNoSpecifiedTests=false
 *   -Dexcluded.test.groups=none -Dgroups=benchmark -Dtest=ServingBenchmarkTest
 */
@QuarkusTest
@Tag("benchmark")
class ServingBenchmarkTest {
    static final int STORES = 50;
    static final int MEMBERS = 20_000;
    static final int REQUESTS = 5_000;
    static final int WARM_UP = 1_000;
    static final int K = 20;

    @Inject
    ScoreCache cache;

    @Test
    void getScoreAndTopRiskLatencyOverRestAndGrpc() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Random random = new Random(42);
        List<ChurnScore> scores = new ArrayList<>(MEMBERS);
        for (int m = 0; m < MEMBERS; m++) {
            scores.add(new ChurnScore(member(run, m), random.nextDouble(), "bench", Instant.parse("2031-01-01T00:00:00Z"),
                    90, store(run, m % STORES), 10 + random.nextInt(500), 12.0, 30.0));
        }
        for (int from = 0; from < MEMBERS; from += 2_000) {
            cache.putAll(scores.subList(from, from + 2_000), Map.of()).await().indefinitely();
        }

        HttpClient http = HttpClient.newHttpClient();
        String base = "http://localhost:" + RestAssured.port;
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext()
                .intercept(AuthTestResource.as(AuthTestResource.analyst())).build();
        try {
            var grpc = ChurnServiceGrpc.newBlockingStub(channel);
            report("GetScore  REST", measure(random, i -> {
                HttpResponse<String> r = get(http, base + "/members/" + member(run, i % MEMBERS) + "/score");
                return r.statusCode() == 200 && r.body().contains(member(run, i % MEMBERS));
            }, MEMBERS));
            report("GetScore  gRPC", measure(random, i -> grpc.getScore(GetScoreRequest.newBuilder()
                    .setMemberId(member(run, i % MEMBERS)).build()).getMemberId().equals(member(run, i % MEMBERS)), MEMBERS));
            report("TopRisk   REST", measure(random, i -> {
                HttpResponse<String> r = get(http, base + "/stores/" + store(run, i % STORES) + "/top-risk?k=" + K);
                return r.statusCode() == 200 && r.body().split("\"memberId\"").length == K + 1;
            }, STORES));
            report("TopRisk   gRPC", measure(random, i -> grpc.topRisk(TopRiskRequest.newBuilder()
                    .setStoreId(store(run, i % STORES)).setK(K).build()).getScoresCount() == K, STORES));
        } finally {
            channel.shutdownNow();
        }
    }

    /** Sorted latencies in nanoseconds of REQUESTS calls on random keys; fails if any answer was wrong. */
    static long[] measure(Random random, IntPredicate call, int keys) {
        for (int i = 0; i < WARM_UP; i++) {
            assertThat(call.test(random.nextInt(keys))).isTrue();
        }
        long[] nanos = new long[REQUESTS];
        int ok = 0;
        for (int i = 0; i < REQUESTS; i++) {
            int key = random.nextInt(keys);
            long started = System.nanoTime();
            ok += call.test(key) ? 1 : 0;
            nanos[i] = System.nanoTime() - started;
        }
        assertThat(ok).isEqualTo(REQUESTS);
        Arrays.sort(nanos);
        return nanos;
    }

    static void report(String what, long[] sorted) {
        System.out.printf(Locale.ROOT, "serving benchmark %s: %d calls, %d members in %d stores: p50 %.2f ms, "
                        + "p95 %.2f ms, p99 %.2f ms, max %.2f ms (target p99 < 10 ms)%n", what, REQUESTS, MEMBERS, STORES,
                ms(sorted, 0.50), ms(sorted, 0.95), ms(sorted, 0.99), sorted[sorted.length - 1] / 1e6);
    }

    static HttpResponse<String> get(HttpClient http, String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url))
                    .header("Authorization", "Bearer " + AuthTestResource.analyst()).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String member(String run, int m) {
        return "bench-" + run + "-m" + m;
    }

    static String store(String run, int s) {
        return "bench-" + run + "-s" + s;
    }

    static double ms(long[] sorted, double quantile) {
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)] / 1e6;
    }
}
