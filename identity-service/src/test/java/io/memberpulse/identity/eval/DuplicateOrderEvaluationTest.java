package io.memberpulse.identity.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.memberpulse.identity.domain.Identifier;
import io.memberpulse.identity.domain.IdentifierNormalizer;
import io.memberpulse.identity.domain.InvalidIdentifierException;
import io.memberpulse.identity.domain.OrderDeduplicator;
import io.memberpulse.identity.domain.RawIdentifiers;
import io.memberpulse.identity.domain.StitchGuardrails;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

/**
 * Measures order de-duplication on identity-dev against its duplicate_orders.csv.gz (pairs of line
 * events, compared unordered); writes target/identity-dev/duplicate-orders.csv. Skipped without the set.
 */
class DuplicateOrderEvaluationTest {

    @Test
    void findsTheOrdersTwoChannelsReported() throws IOException {
        Path events = IdentityDevEvaluationTest.DATASET.resolve("events.csv.gz");
        Path truthFile = IdentityDevEvaluationTest.DATASET.resolve("duplicate_orders.csv.gz");
        assumeTrue(Files.exists(events) && Files.exists(truthFile), "identity-dev data set not present");
        List<OrderDeduplicator.Line> lines = new ArrayList<>();
        List<List<Identifier>> buyers = new ArrayList<>(); // as the import gives them: listed placeholders left out
        StitchGuardrails guardrails = StitchGuardrails.DEFAULTS;
        IdentifierNormalizer normalizer = new IdentifierNormalizer("CN", guardrails::isBlocked);
        Set<String> seen = new HashSet<>();
        for (CSVRecord row : csv(events)) {
            if (!"order".equals(row.get("type")) || !seen.add(row.get("source") + '\u001f' + row.get("event_id"))
                    || row.get("paid_amount").isBlank() || row.get("quantity").isBlank()) {
                continue;
            }
            lines.add(new OrderDeduplicator.Line(lines.size(), row.get("source") + '\u001f' + row.get("event_id"),
                    row.get("order_id"), row.get("store_id"), OffsetDateTime.parse(row.get("occurred_at")).toInstant(),
                    row.get("sku"), Double.parseDouble(row.get("quantity")), Double.parseDouble(row.get("paid_amount"))));
            buyers.add(buyer(normalizer, guardrails, row));
        }
        // the source of a line is its channel; the harness keeps the event id alongside it
        List<OrderDeduplicator.Line> byChannel = lines.stream().map(l -> new OrderDeduplicator.Line(l.index(),
                l.source().substring(0, l.source().indexOf('\u001f')), l.orderId(), l.storeId(), l.occurredAt(), l.sku(),
                l.quantity(), l.paidAmount())).toList();
        List<OrderDeduplicator.Pair> found = OrderDeduplicator.duplicates(byChannel, Duration.ofMinutes(60), buyers::get);

        Set<String> predicted = new HashSet<>();
        Files.createDirectories(IdentityDevEvaluationTest.OUT);
        try (Writer writer = Files.newBufferedWriter(IdentityDevEvaluationTest.OUT.resolve("duplicate-orders.csv"))) {
            writer.write("source_a,event_id_a,source_b,event_id_b\n");
            for (OrderDeduplicator.Pair pair : found) {
                String a = lines.get(pair.original().index()).source();
                String b = lines.get(pair.duplicate().index()).source();
                predicted.add(unordered(a, b));
                writer.write(a.replace('\u001f', ',') + ',' + b.replace('\u001f', ',') + '\n');
            }
        }
        Set<String> truth = new HashSet<>();
        for (CSVRecord row : csv(truthFile)) {
            truth.add(unordered(row.get("source_a") + '\u001f' + row.get("event_id_a"),
                    row.get("source_b") + '\u001f' + row.get("event_id_b")));
        }
        long correct = predicted.stream().filter(truth::contains).count();
        double precision = predicted.isEmpty() ? 1.0 : (double) correct / predicted.size();
        double recall = (double) correct / truth.size();
        double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        System.out.printf("identity-dev duplicate orders: predicted %d, true %d, correct %d, precision %.4f, recall %.4f, F1 %.4f%n",
                predicted.size(), truth.size(), correct, precision, recall, f1);
        assertThat(f1).isGreaterThanOrEqualTo(0.95);
    }

    /** A line's buyer: its identifiers (none when the import would leave the phone out), listed placeholders left out. */
    static List<Identifier> buyer(IdentifierNormalizer normalizer, StitchGuardrails guardrails, CSVRecord row) {
        RawIdentifiers raw = new RawIdentifiers(row.get("phone"), row.get("union_id"), row.get("openid"),
                row.get("member_no"), row.get("device_id"), row.get("platform_uid"), row.get("email"));
        try {
            return normalizer.normalize(raw).stream().filter(id -> !guardrails.isBlocked(id.value())).toList();
        } catch (InvalidIdentifierException e) {
            return List.of();
        }
    }

    static String unordered(String a, String b) {
        return a.compareTo(b) < 0 ? a + '\u0000' + b : b + '\u0000' + a;
    }

    static List<CSVRecord> csv(Path file) throws IOException {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
            return CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(reader).getRecords();
        }
    }
}
