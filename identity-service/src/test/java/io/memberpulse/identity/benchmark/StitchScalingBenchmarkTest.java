package io.memberpulse.identity.benchmark;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.memberpulse.identity.BatchLinker;
import io.memberpulse.identity.api.ChannelEventRules;
import io.memberpulse.identity.api.EventFormat;
import io.memberpulse.identity.domain.IdentifierNormalizer;
import io.memberpulse.identity.domain.IdentityGraph;
import io.memberpulse.identity.domain.MatchWeights;
import io.memberpulse.identity.domain.StitchGuardrails;
import io.memberpulse.identity.domain.WeightEstimation;
import io.memberpulse.identity.store.EventRow;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The stitching of the import benchmark without the service around it: identity-dev replicated
 * {@code benchmark.copies} times as {@link ImportBenchmarkTest} does (each copy other people), linked
 * through one in-memory {@link IdentityGraph} in batches as the service receives them, the stored order
 * lines near each batch found as the service's query finds them. Prints CPU-seconds of stitching per
 * copy, so that a cost growing with the state shows as a rising line whatever else the machine runs.
 * Run: ./mvnw verify -pl identity-service -am -Dexcluded.test.groups=none -Dgroups=benchmark
 *        [-Dbenchmark.copies=40 -DargLine=-Xmx2g] -Dsurefire.failIfNoSpecifiedTests=false -Dtest=StitchScalingBenchmarkTest
 */
@Tag("benchmark")
class StitchScalingBenchmarkTest {
    static final int COPIES = Integer.getInteger("benchmark.copies", 4);
    static final int BATCH = 5_000; // as EventIntake hands batches to the import
    static final Duration ORDER_WINDOW = Duration.ofMinutes(60);

    @Test
    void stitchesCopiesInMemory() throws Exception {
        assumeTrue(Files.exists(ImportBenchmarkTest.EVENTS), "identity-dev data set not present");
        List<CSVRecord> rows;
        String[] header;
        try (var reader = new BufferedReader(new InputStreamReader(new GZIPInputStream(
                Files.newInputStream(ImportBenchmarkTest.EVENTS)), StandardCharsets.UTF_8))) {
            var parser = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(reader);
            header = parser.getHeaderNames().toArray(String[]::new);
            rows = parser.getRecords();
        }
        StitchGuardrails guardrails = StitchGuardrails.DEFAULTS;
        IdentifierNormalizer normalizer = new IdentifierNormalizer("CN", guardrails::isBlocked);
        EventFormat format = new EventFormat(ZoneId.of("Asia/Shanghai"));
        ChannelEventRules rules = new ChannelEventRules(normalizer);
        IdentityGraph graph = new IdentityGraph(guardrails, MatchWeights.DEFAULTS, WeightEstimation.DEFAULTS);
        OrderLines stored = new OrderLines();
        AtomicLong next = new AtomicLong();
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        long events = 0;
        long totalCpu = 0;
        for (int copy = 0; copy < COPIES; copy++) {
            Replica replica = new Replica("s" + copy, copy);
            long copyCpu = 0;
            long nearbyRows = 0;
            for (int from = 0; from < rows.size(); from += BATCH) {
                List<ChannelEvent> batch = new ArrayList<>(BATCH);
                for (CSVRecord row : rows.subList(from, Math.min(rows.size(), from + BATCH))) {
                    String[] cells = replica.rewrite(row, header);
                    Map<String, String> byName = new HashMap<>();
                    for (int i = 0; i < header.length; i++) {
                        byName.put(header[i], cells[i]);
                    }
                    EventFormat.Parsed parsed = format.parse(byName);
                    if (parsed.errors().isEmpty() && rules.check(parsed.event()).isEmpty()) {
                        batch.add(parsed.event());
                    }
                }
                List<EventRow> nearby = stored.near(batch, ORDER_WINDOW); // the database's work: not timed
                nearbyRows += nearby.size();
                long started = cpu.getCurrentThreadCpuTime();
                BatchLinker.Linked linked = BatchLinker.link(graph, normalizer, batch, nearby, ORDER_WINDOW,
                        () -> "m" + next.incrementAndGet());
                copyCpu += cpu.getCurrentThreadCpuTime() - started;
                stored.add(batch, linked.duplicateOf());
                events += batch.size();
            }
            totalCpu += copyCpu;
            System.out.printf(Locale.ROOT, "stitch scaling: copy %d of %d: %,d events in all, this copy %.2f CPU-s "
                    + "(%,.0f events/CPU-s), %,d stored order lines compared, heap used %,d MB, load %s%n", copy + 1, COPIES,
                    events, copyCpu / 1e9, rows.size() / (copyCpu / 1e9), nearbyRows,
                    (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20, load());
        }
        System.out.printf(Locale.ROOT, "stitch scaling: %,d events stitched in %.1f CPU-s = %,.0f events/CPU-s%n", events,
                totalCpu / 1e9, events / (totalCpu / 1e9));
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "?";
        }
    }

    /**
     * The order lines stored so far, found as the import's query finds them: for each new order line, the
     * stored ones at its store within the window from another channel, neither duplicates nor originals of
     * one.
     */
    static final class OrderLines {
        private final Map<String, TreeMap<Instant, List<EventRow>>> byStore = new HashMap<>();
        private final Set<String> originals = new HashSet<>();

        void add(List<ChannelEvent> batch, String[] duplicateOf) {
            for (int i = 0; i < batch.size(); i++) {
                ChannelEvent event = batch.get(i);
                if (duplicateOf[i] != null) {
                    originals.add(duplicateOf[i]);
                } else if (event.getType() == EventType.EVENT_TYPE_ORDER && !event.getStoreId().isBlank()) {
                    byStore.computeIfAbsent(event.getStoreId(), s -> new TreeMap<>())
                            .computeIfAbsent(instant(event), t -> new ArrayList<>()).add(new EventRow(source(event),
                                    event.getEventId(), null, "order", instant(event), event.getStoreId(),
                                    event.getLine().getOrderId(), event.toByteArray(), null, null));
                }
            }
        }

        List<EventRow> near(List<ChannelEvent> batch, Duration window) {
            Map<String, EventRow> near = new LinkedHashMap<>();
            for (ChannelEvent event : batch) {
                TreeMap<Instant, List<EventRow>> store = byStore.get(event.getStoreId());
                if (event.getType() != EventType.EVENT_TYPE_ORDER || store == null) {
                    continue;
                }
                Instant at = instant(event);
                store.subMap(at.minus(window), true, at.plus(window), true).values().forEach(rows -> rows.forEach(row -> {
                    String key = row.source() + ":" + row.eventId();
                    if (!row.source().equals(source(event)) && !originals.contains(key)) {
                        near.putIfAbsent(key, row);
                    }
                }));
            }
            return new ArrayList<>(near.values());
        }

        private static String source(ChannelEvent event) {
            return event.getSource().name().substring("SOURCE_".length()).toLowerCase(Locale.ROOT);
        }

        private static Instant instant(ChannelEvent event) {
            return Instant.ofEpochSecond(event.getOccurredAt().getSeconds(), event.getOccurredAt().getNanos());
        }
    }
}
