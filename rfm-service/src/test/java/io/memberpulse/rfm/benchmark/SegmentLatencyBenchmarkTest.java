package io.memberpulse.rfm.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.Source;
import io.memberpulse.proto.kafka.ProtobufSerializer;
import io.memberpulse.proto.kafka.SegmentChangedDeserializer;
import io.memberpulse.proto.kafka.Topics;
import io.memberpulse.proto.segments.v1.SegmentChanged;
import io.memberpulse.rfm.LiveTimings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Event → SegmentChanged latency through the real service and broker (in this JVM, on this machine):
 * MemberEvents produced to member.events at a paced, sustained rate (default 5,000/s for 60 s), each
 * the first order of a new member, so each must come out as "entered stage:new" on member.segments;
 * the latency of each is the time from its send to that SegmentChanged's arrival. Prints p50, p99,
 * max and what arrived. Target: p99 < 1 s at 5k events/s.
 * Run: ./mvnw verify -pl rfm-service -am -Dexcluded.test.groups=none -Dgroups=benchmark
 *      -Dtest=SegmentLatencyBenchmarkTest -Dsurefire.failIfNoSpecifiedTests=false
 *      [-Dlatency.rate=5000 -Dlatency.seconds=60]
 */
@Tag("benchmark")
@QuarkusTest
class SegmentLatencyBenchmarkTest {
    static final int RATE = Integer.getInteger("latency.rate", 5_000);
    static final int SECONDS = Integer.getInteger("latency.seconds", 60);
    /** A freshly started JVM (JIT, pools, fetch sizes) is slow for its first ~25 s: sent at the same rate, not measured. */
    static final int WARMUP_SECONDS = Integer.getInteger("latency.warmup-seconds", 30);
    static final int TICKS_PER_SECOND = 100;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    MeterRegistry registry;

    @Test
    void eventToSegmentChangedLatencyAtASustainedRate() throws Exception {
        String run = "lat-" + Long.toString(System.nanoTime(), 36) + "-";
        int warmup = RATE * WARMUP_SECONDS;
        int total = warmup + RATE * SECONDS;
        long[] sentAt = new long[total];
        long[] latency = new long[total];
        Arrays.fill(latency, -1);
        Map<String, Integer> index = new ConcurrentHashMap<>();
        AtomicBoolean consuming = new AtomicBoolean(true);
        Thread consumer = new Thread(() -> consume(run, index, sentAt, latency, consuming), "segment-changes");

        try (KafkaProducer<String, MemberEvent> producer = new KafkaProducer<>(producerProperties())) {
            consumer.start();
            Thread.sleep(3_000); // the consumer's partitions assigned, at the end of the topic
            Instant eventTime = Instant.now();
            long start = System.nanoTime();
            long tickNanos = TimeUnit.SECONDS.toNanos(1) / TICKS_PER_SECOND;
            int perTick = RATE / TICKS_PER_SECOND;
            for (int i = 0; i < total; ) {
                long due = start + (long) (i / perTick) * tickNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                for (int k = 0; k < perTick && i < total; k++, i++) {
                    String member = run + i;
                    index.put(member, i);
                    sentAt[i] = System.nanoTime();
                    producer.send(new ProducerRecord<>(Topics.MEMBER_EVENTS, member, order(member, eventTime.plusMillis(i / perTick * 10L))));
                }
            }
            double sendSeconds = (System.nanoTime() - start) / 1e9;
            producer.flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && Arrays.stream(latency).anyMatch(l -> l < 0)) {
                Thread.sleep(200);
            }
            consuming.set(false);
            consumer.join(10_000);

            long[] arrived = Arrays.stream(latency, warmup, total).filter(l -> l >= 0).sorted().toArray();
            System.out.printf("event -> SegmentChanged: %,d events sent at %,.0f/s for %.1f s on %d cores, the first %d s a warm-up; of the %,d measured %,d arrived; "
                            + "p50 %.0f ms, p99 %.0f ms, max %.0f ms (target p99 < 1000 ms); heap used %d MB%n",
                    total, total / sendSeconds, sendSeconds, Runtime.getRuntime().availableProcessors(), WARMUP_SECONDS,
                    total - warmup, arrived.length,
                    percentile(arrived, 0.50), percentile(arrived, 0.99), arrived.length == 0 ? Double.NaN : arrived[arrived.length - 1] / 1e6,
                    (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
            printLatencyBySendSecond(latency, perTick * TICKS_PER_SECOND);
            printStageTimes();
            assertThat(arrived.length).as("every measured event's SegmentChanged arrived").isEqualTo(total - warmup);
        }
    }

    private void consume(String run, Map<String, Integer> index, long[] sentAt, long[] latency, AtomicBoolean consuming) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, run + "probe");
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        try (KafkaConsumer<String, SegmentChanged> consumer = new KafkaConsumer<>(properties, new StringDeserializer(),
                new SegmentChangedDeserializer())) {
            consumer.subscribe(List.of(Topics.MEMBER_SEGMENTS));
            while (consuming.get()) {
                for (var record : consumer.poll(Duration.ofMillis(50))) {
                    long now = System.nanoTime();
                    Integer i = record.key() == null ? null : index.get(record.key());
                    if (i != null && record.value() != null && record.value().getChange() == SegmentChanged.Change.CHANGE_ENTERED
                            && record.value().getSegmentId().equals("stage:new") && latency[i] < 0) {
                        latency[i] = now - sentAt[i];
                    }
                }
            }
        }
    }

    private Properties producerProperties() {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ProtobufSerializer.class.getName());
        properties.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        return properties;
    }

    static MemberEvent order(String member, Instant at) {
        return MemberEvent.newBuilder().setMemberId(member).setEvent(ChannelEvent.newBuilder()
                .setEventId(member).setSource(Source.SOURCE_POS).setType(EventType.EVENT_TYPE_ORDER)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano())).setStoreId("s-001")
                .setLine(OrderLine.newBuilder().setOrderId("o-" + member).setQuantity(1).setPaidAmount(25)
                        .setCategory("dairy/yogurt/greek"))).build();
    }

    /** Where a batch's time goes in the service: batches, mean and max ms of each stage of the live path. */
    private void printStageTimes() {
        StringBuilder line = new StringBuilder("live path per batch (count, mean/max ms):");
        for (Timer timer : registry.find(LiveTimings.NAME).timers()) {
            line.append(String.format(" %s %,d %.1f/%.0f;", timer.getId().getTag("stage"), timer.count(),
                    timer.mean(TimeUnit.MILLISECONDS), timer.max(TimeUnit.MILLISECONDS)));
        }
        System.out.println(line);
    }

    /** Where the tail comes from: p50 / p99 of the events sent in each 10-second slice of the run. */
    static void printLatencyBySendSecond(long[] latency, int perSecond) {
        int slice = 10 * perSecond;
        StringBuilder line = new StringBuilder("p50/p99 ms by 10 s of sending:");
        for (int from = 0; from < latency.length; from += slice) {
            long[] part = Arrays.stream(latency, from, Math.min(latency.length, from + slice)).filter(l -> l >= 0).sorted().toArray();
            line.append(String.format(" [%ds: %.0f/%.0f]", from / perSecond, percentile(part, 0.50), percentile(part, 0.99)));
        }
        System.out.println(line);
    }

    static double percentile(long[] sorted, double p) {
        return sorted.length == 0 ? Double.NaN : sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] / 1e6;
    }
}
