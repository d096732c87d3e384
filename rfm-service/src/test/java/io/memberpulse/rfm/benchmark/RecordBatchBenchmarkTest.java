package io.memberpulse.rfm.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.Review;
import io.memberpulse.proto.identity.v1.Source;
import io.memberpulse.rfm.MemberFacts;
import io.memberpulse.rfm.RecomputeRfmService;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What a member.events backlog costs per batch, without the broker: batches of 2,000 events (max.poll.records;
 * 85% orders, 10% visits, 5% reviews over 50,000 members, so most members come back) recorded first through
 * MemberFacts alone (the owners' look-up and the inserts: one transaction under the identity lock), then
 * through RecomputeRfmService as the consumer calls it (recorded, members recomputed, written, cached and published;
 * the next batch starts once the rows are written). Prints events/s and ms per batch (p50, p90, max) of each
 * phase, after a warm-up. Run: ./mvnw verify -pl rfm-service -am -Dexcluded.test.groups=none -Dgroups=benchmark
 * -Dtest=RecordBatchBenchmarkTest -Dsurefire.failIfNoSpecifiedTests=false [-Drecord.batches=100]
 */
@Tag("benchmark")
@QuarkusTest
class RecordBatchBenchmarkTest {
    static final int BATCHES = Integer.getInteger("record.batches", 100);
    static final int WARMUP_BATCHES = Integer.getInteger("record.warmup-batches", 40);
    static final int BATCH = 2_000;
    static final int MEMBERS = 50_000;
    /** In the past: the event-time clock moves no further than now plus max-clock-lead. */
    static final Instant START = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.DAYS).minus(java.time.Duration.ofDays(30));

    @Inject
    MemberFacts facts;

    @Inject
    RecomputeRfmService recompute;

    @Test
    void batchesRecordedBackToBack() {
        String run = "rec-" + Long.toString(System.nanoTime(), 36) + "-";
        Events events = new Events(run, new SplittableRandom(11));
        for (int i = 0; i < WARMUP_BATCHES; i++) {
            facts.record(events.next());
        }
        long[] factsOnly = new long[BATCHES];
        long start = System.nanoTime();
        for (int i = 0; i < BATCHES; i++) {
            List<MemberEvent> batch = events.next();
            long t0 = System.nanoTime();
            facts.record(batch);
            factsOnly[i] = System.nanoTime() - t0;
        }
        double factsSeconds = (System.nanoTime() - start) / 1e9;

        for (int i = 0; i < WARMUP_BATCHES; i++) {
            recompute.record(events.next()).toCompletableFuture().join();
        }
        long[] throughService = new long[BATCHES];
        List<CompletableFuture<Void>> outputs = new ArrayList<>();
        start = System.nanoTime();
        for (int i = 0; i < BATCHES; i++) {
            List<MemberEvent> batch = events.next();
            long t0 = System.nanoTime();
            CompletionStage<Void> output = recompute.record(batch);
            throughService[i] = System.nanoTime() - t0;
            outputs.add(output.toCompletableFuture());
        }
        CompletableFuture.allOf(outputs.toArray(CompletableFuture[]::new)).join();
        double serviceSeconds = (System.nanoTime() - start) / 1e9;

        System.out.printf("MemberFacts.record: %,d batches of %,d in %.2f s, %,.0f events/s; ms per batch %s%n",
                BATCHES, BATCH, factsSeconds, BATCHES * BATCH / factsSeconds, percentiles(factsOnly));
        System.out.printf("RecomputeRfmService.record (recorded, recomputed, written; output drained at the end): "
                        + "%,d batches in %.2f s, %,.0f events/s; ms until the next batch may start %s; %d cores%n",
                BATCHES, serviceSeconds, BATCHES * BATCH / serviceSeconds, percentiles(throughService),
                Runtime.getRuntime().availableProcessors());
        assertThat(outputs).allMatch(output -> !output.isCompletedExceptionally());
    }

    static String percentiles(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return String.format("p50 %.1f, p90 %.1f, max %.1f", sorted[sorted.length / 2] / 1e6,
                sorted[(int) Math.ceil(0.9 * sorted.length) - 1] / 1e6, sorted[sorted.length - 1] / 1e6);
    }

    /** Batches of events in event-time order, each event new. */
    static final class Events {
        private final String run;
        private final SplittableRandom random;
        private long sequence;

        Events(String run, SplittableRandom random) {
            this.run = run;
            this.random = random;
        }

        List<MemberEvent> next() {
            List<MemberEvent> batch = new ArrayList<>(BATCH);
            for (int i = 0; i < BATCH; i++) {
                long n = sequence++;
                String member = run + random.nextInt(MEMBERS);
                String id = run + n;
                Instant at = START.plusSeconds(n);
                double kind = random.nextDouble();
                ChannelEvent.Builder event = ChannelEvent.newBuilder().setEventId(id).setSource(Source.SOURCE_POS)
                        .setOccurredAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond())).setStoreId("s-" + random.nextInt(40));
                if (kind < 0.85) {
                    event.setType(EventType.EVENT_TYPE_ORDER).setLine(OrderLine.newBuilder().setOrderId("o-" + id)
                            .setQuantity(1).setPaidAmount(5 + random.nextInt(200)).setCategory("dairy/yogurt/greek"));
                } else if (kind < 0.95) {
                    event.setType(EventType.EVENT_TYPE_VISIT);
                } else {
                    event.setSource(Source.SOURCE_MINIAPP).setType(EventType.EVENT_TYPE_REVIEW)
                            .setReview(Review.newBuilder().setRating(1 + random.nextInt(5)).setText("fine"));
                }
                batch.add(MemberEvent.newBuilder().setMemberId(member).setEvent(event).build());
            }
            return batch;
        }
    }
}
