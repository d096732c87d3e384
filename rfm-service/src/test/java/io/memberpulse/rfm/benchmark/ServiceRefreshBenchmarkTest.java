package io.memberpulse.rfm.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.rfm.RecomputeRfmService;
import io.memberpulse.rfm.domain.PurchaseLine;
import io.memberpulse.rfm.store.RfmRepository;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The service's own full re-segmentation, the path the clock's re-ageing and a new segment's
 * backfill take: every member's lines read from PostgreSQL a page at a time, RFM, segments and stage
 * recomputed, rows written back to PostgreSQL and Redis, changes published. Synthetic members
 * (default 100,000, ~4.5 lines each, as in ResegmentationBenchmarkTest) are written first; prints the
 * time, members/s and what 1M would take at that rate.
 * Run: ./mvnw verify -pl rfm-service -am -Dexcluded.test.groups=none -Dgroups=benchmark
 *      -Dtest=ServiceRefreshBenchmarkTest -Dsurefire.failIfNoSpecifiedTests=false [-Drefresh.members=100000]
 */
@Tag("benchmark")
@QuarkusTest
class ServiceRefreshBenchmarkTest {
    static final int MEMBERS = Integer.getInteger("refresh.members", 100_000);
    static final Instant AS_OF = Instant.parse("2030-06-30T00:00:00Z");

    @Inject
    RfmRepository repository;

    @Inject
    RecomputeRfmService recompute;

    @Test
    void fullRefreshThroughTheService() {
        SplittableRandom random = new SplittableRandom(7);
        String run = "bench-" + Long.toString(System.nanoTime(), 36) + "-";
        long lines = 0;
        long writeStart = System.nanoTime();
        List<RfmRepository.StoredLine> batch = new ArrayList<>();
        for (int m = 0; m < MEMBERS; m++) {
            int orders = 1 + random.nextInt(8);
            for (int o = 0; o < orders; o++) {
                PurchaseLine line = new PurchaseLine(run + m + "-" + o, PurchaseLine.Kind.ORDER,
                        AS_OF.minus(Duration.ofHours(random.nextInt(24 * 200))), "s" + random.nextInt(120),
                        20 + random.nextInt(400), random.nextDouble() < 0.5 ? null : 0.2 + random.nextDouble() / 2, 0);
                batch.add(new RfmRepository.StoredLine("pos", run + m + "-" + o, run + String.format("%07d", m), line, 0, null));
            }
            if (batch.size() >= 5_000) {
                lines += repository.insertLines(batch).await().indefinitely();
                batch.clear();
            }
        }
        lines += repository.insertLines(batch).await().indefinitely();
        repository.advanceWatermark(AS_OF).await().indefinitely();
        double writeSeconds = (System.nanoTime() - writeStart) / 1e9;

        long heapBefore = usedHeapMb();
        long started = System.nanoTime();
        recompute.backfill();
        double seconds = (System.nanoTime() - started) / 1e9;
        long[] totals = repository.totals().await().indefinitely();
        System.out.printf("service full re-segmentation: %,d members (%,d lines written in %.1f s) recomputed from PostgreSQL "
                        + "in %.1f s = %,.0f members/s on %d cores (1M at this rate: %.0f s; target < 10 s); heap used %d -> %d MB%n",
                MEMBERS, lines, writeSeconds, seconds, MEMBERS / seconds, Runtime.getRuntime().availableProcessors(),
                1_000_000 / (MEMBERS / seconds), heapBefore, usedHeapMb());
        assertThat(totals[0]).isGreaterThanOrEqualTo(MEMBERS);
    }

    private static long usedHeapMb() {
        Runtime runtime = Runtime.getRuntime();
        return (runtime.totalMemory() - runtime.freeMemory()) >> 20;
    }
}
