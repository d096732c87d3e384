package io.memberpulse.rfm.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.rfm.MemberStates;
import io.memberpulse.rfm.RecomputeRfmService;
import io.memberpulse.rfm.domain.PurchaseLine;
import io.memberpulse.rfm.store.PurchaseLineRepository;
import io.memberpulse.rfm.store.RfmReadRepository;
import io.memberpulse.rfm.store.StreamClockRepository;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The service's own full re-segmentation, the path the clock's re-ageing and a new segment's
 * backfill take. Synthetic members (default 1,000,000, ~4.5 lines each, as in
 * ResegmentationBenchmarkTest) are written to PostgreSQL first. Then: the first pass (the state
 * loaded from PostgreSQL, every member's row written: the initial population), and the measured
 * re-segmentations, one day and then one week of event time later: every member recomputed from the
 * in-memory state, changed rows written to PostgreSQL and Redis, changes published. Prints times,
 * members changed and heap.
 * Run: ./mvnw verify -pl rfm-service -am -Dexcluded.test.groups=none -Dgroups=benchmark
 *      -Dtest=ServiceRefreshBenchmarkTest -Dsurefire.failIfNoSpecifiedTests=false [-Drefresh.members=100000]
 */
@Tag("benchmark")
@QuarkusTest
@TestProfile(ServiceRefreshBenchmarkTest.PassesOnDemand.class)
class ServiceRefreshBenchmarkTest {
    /** No scheduled pass between the measured ones; pages of the pass timed in the log. */
    public static class PassesOnDemand implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("memberpulse.rfm.refresh-every", "1h",
                    "quarkus.log.category.\"io.memberpulse.rfm.RecomputeRfmService\".level", "DEBUG");
        }
    }

    static final int MEMBERS = Integer.getInteger("refresh.members", 1_000_000);
    static final Instant AS_OF = Instant.parse("2030-06-30T00:00:00Z");

    @Inject
    PurchaseLineRepository purchaseLines;

    @Inject
    RfmReadRepository rfmReads;

    @Inject
    StreamClockRepository streamClock;

    @Inject
    Pool pool;

    @Inject
    RecomputeRfmService recompute;

    @Inject
    MemberStates states;

    @Test
    void fullRefreshThroughTheService() {
        SplittableRandom random = new SplittableRandom(7);
        String run = "bench-" + Long.toString(System.nanoTime(), 36) + "-";
        long lines = 0;
        long writeStart = System.nanoTime();
        List<PurchaseLineRepository.StoredLine> batch = new ArrayList<>();
        for (int m = 0; m < MEMBERS; m++) {
            int orders = 1 + random.nextInt(8);
            for (int o = 0; o < orders; o++) {
                PurchaseLine line = new PurchaseLine(run + m + "-" + o, PurchaseLine.Kind.ORDER,
                        AS_OF.minus(Duration.ofHours(random.nextInt(24 * 200))), "s" + random.nextInt(120),
                        20 + random.nextInt(400), random.nextDouble() < 0.5 ? null : 0.2 + random.nextDouble() / 2, 0);
                batch.add(new PurchaseLineRepository.StoredLine("pos", run + m + "-" + o, run + String.format("%07d", m), line, 0, null, null, null));
            }
            if (batch.size() >= 20_000) {
                lines += purchaseLines.insertLines(pool, batch).await().indefinitely();
                batch.clear();
            }
        }
        lines += purchaseLines.insertLines(pool, batch).await().indefinitely();
        streamClock.advanceWatermark(AS_OF).await().indefinitely();
        double writeSeconds = (System.nanoTime() - writeStart) / 1e9;

        System.out.printf("service re-segmentation benchmark: %,d members, %,d purchase lines written in %.1f s%n", MEMBERS,
                lines, writeSeconds);
        // The lines went in behind the service's back: it reads them as a service starting over this database would.
        states.invalidate();
        long heapBefore = usedHeapMb();
        long started = System.nanoTime();
        RecomputeRfmService.Pass first = recompute.backfill();
        print("first pass (state loaded from PostgreSQL, every row written)", first, started, heapBefore);
        for (Duration later : List.of(Duration.ofDays(1), Duration.ofDays(7))) {
            streamClock.advanceWatermark(AS_OF.plus(later)).await().indefinitely();
            heapBefore = usedHeapMb();
            started = System.nanoTime();
            RecomputeRfmService.Pass pass = recompute.backfill();
            print("re-segmentation " + later.toDays() + " day(s) of event time later (target < 10 s for 1M)", pass, started,
                    heapBefore);
            assertThat(pass.members()).isGreaterThanOrEqualTo(MEMBERS);
        }
        long[] totals = rfmReads.totals().await().indefinitely();
        assertThat(totals[0]).isGreaterThanOrEqualTo(MEMBERS);
    }

    private static void print(String what, RecomputeRfmService.Pass pass, long started, long heapBefore) {
        double seconds = (System.nanoTime() - started) / 1e9;
        System.gc();
        System.out.printf("%s: %,d members in %.2f s (state sync %.2f s, compute %.2f s, %,d changed, %,d rows written + "
                        + "cached + published in %.2f s) on %d cores; heap used %d MB before, %d MB after (after GC)%n",
                what, pass.members(), seconds, pass.stateSeconds(), pass.computeSeconds(),
                pass.changed(), pass.written(), pass.writeSeconds(), Runtime.getRuntime().availableProcessors(), heapBefore,
                usedHeapMb());
    }

    private static long usedHeapMb() {
        Runtime runtime = Runtime.getRuntime();
        return (runtime.totalMemory() - runtime.freeMemory()) >> 20;
    }
}
