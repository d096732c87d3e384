package io.memberpulse.rfm.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.rfm.domain.DefaultSegments;
import io.memberpulse.rfm.domain.LifecycleRules;
import io.memberpulse.rfm.domain.LifecycleStage;
import io.memberpulse.rfm.domain.PurchaseLine;
import io.memberpulse.rfm.domain.Rfm;
import io.memberpulse.rfm.domain.RfmCalculator;
import io.memberpulse.rfm.domain.rules.MemberAttributes;
import io.memberpulse.rfm.domain.rules.SegmentRuleCompiler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A full re-segmentation of 1M synthetic members (target < 10 s): each member's RFM recomputed from
 * its purchase lines as of one instant, then its default segments, lifecycle stage and two
 * business-defined CEL rules. Prints time and heap of three passes (the first with the JIT's warm-up); asserts only that every
 * member was classified.
 * Run: ./mvnw verify -pl rfm-service -am -Dsurefire.failIfNoSpecifiedTests=false -Dexcluded.test.groups=none
 *      -Dgroups=benchmark -DargLine=-Xmx3g -Dtest=ResegmentationBenchmarkTest
 */
@Tag("benchmark")
class ResegmentationBenchmarkTest {
    static final int MEMBERS = 1_000_000;
    static final Instant AS_OF = Instant.parse("2024-06-30T00:00:00Z");

    @Test
    void resegmentOneMillionMembers() {
        Runtime runtime = Runtime.getRuntime();
        long heapBefore = runtime.totalMemory() - runtime.freeMemory();
        List<List<PurchaseLine>> members = new ArrayList<>(MEMBERS);
        SplittableRandom random = new SplittableRandom(7);
        for (int m = 0; m < MEMBERS; m++) {
            int orders = 1 + random.nextInt(8);
            List<PurchaseLine> lines = new ArrayList<>(orders);
            for (int o = 0; o < orders; o++) {
                lines.add(new PurchaseLine("o" + o, PurchaseLine.Kind.ORDER, AS_OF.minus(Duration.ofHours(random.nextInt(24 * 200))),
                        "s" + random.nextInt(120), 20 + random.nextInt(400), random.nextDouble() < 0.5 ? null : 0.2 + random.nextDouble() / 2, 0));
            }
            members.add(lines);
        }
        long heapWithData = runtime.totalMemory() - runtime.freeMemory();
        RfmCalculator calculator = new RfmCalculator(0.3);
        LifecycleRules lifecycle = LifecycleRules.DEFAULTS;
        SegmentRuleCompiler compiler = new SegmentRuleCompiler();
        var whales = compiler.compile("monetary_net_90d >= 1500.0 && stage != \"dormant\"");
        var slipping = compiler.compile("stage == \"at_risk\" && orders_total >= 3");

        // Three passes: the first includes the JIT's warm-up, the later ones are what a running service pays.
        for (int pass = 1; pass <= 3; pass++) {
            AtomicLong inSomeSegment = new AtomicLong();
            long started = System.nanoTime();
            IntStream.range(0, MEMBERS).parallel().forEach(i -> {
                Rfm rfm = calculator.compute("m" + i, members.get(i), AS_OF);
                Set<String> defaults = DefaultSegments.DEFAULTS.of(rfm);
                LifecycleStage stage = lifecycle.stageOf(rfm);
                var attributes = MemberAttributes.of(rfm, stage, defaults);
                boolean any = !defaults.isEmpty() | whales.matches(attributes) | slipping.matches(attributes) | stage != null;
                if (any) {
                    inSomeSegment.incrementAndGet();
                }
            });
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("re-segmentation pass %d%s: %,d members (%,d purchase lines in memory, +%d MB heap) in %.2f s = "
                            + "%,.0f members/s on %d cores (target < 10 s)%n", pass, pass == 1 ? " (cold JIT)" : "", MEMBERS,
                    members.stream().mapToLong(List::size).sum(), (heapWithData - heapBefore) >> 20, seconds, MEMBERS / seconds,
                    runtime.availableProcessors());
            assertThat(inSomeSegment.get()).isEqualTo(MEMBERS);
        }
    }
}
