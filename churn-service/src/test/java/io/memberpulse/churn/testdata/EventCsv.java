package io.memberpulse.churn.testdata;

import io.memberpulse.churn.domain.features.Activity;
import io.memberpulse.churn.domain.features.StockOut;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * The shared data sets (channel-event CSV, docs/EVENT-CSV.md) as member histories, keyed by the
 * member's first identifier (member_no, phone, union_id, ... in that order). Test data only: the
 * service itself learns members from member.events.
 */
public final class EventCsv {
    public static final Path DATASETS = Path.of("..", "..", "shared", "datasets");
    private static final String[] IDENTIFIERS = {"member_no", "phone", "union_id", "openid", "platform_uid", "email", "device_id"};

    public record Data(Map<String, List<Activity>> histories, List<StockOut> stockOuts) {
        public Instant last() {
            return histories.values().stream().flatMap(List::stream).map(Activity::at).max(Comparator.naturalOrder())
                    .orElseThrow();
        }
    }

    private EventCsv() {
    }

    public static Path dataset(String name) {
        return DATASETS.resolve(name);
    }

    public static Data read(Path file) throws IOException {
        return read(file, Map.of());
    }

    /**
     * Histories keyed by the true person behind each event ({@code source|event_id} -> person, as in
     * a truth file), so models are measured apart from identity stitching; events without a person
     * fall back to their first identifier.
     */
    public static Data read(Path file, Map<String, String> personOf) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
                Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            Map<String, List<Activity>> histories = new HashMap<>();
            List<StockOut> stockOuts = new ArrayList<>();
            for (CSVRecord row : CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(reader)) {
                Instant at = instant(row.get("occurred_at"));
                String type = row.get("type");
                if (type.equals("stockout")) {
                    stockOuts.add(new StockOut(at, text(row, "store_id"), text(row, "sku"), text(row, "category")));
                    continue;
                }
                String member = personOf.getOrDefault(row.get("source") + "|" + row.get("event_id"), memberOf(row));
                Activity activity = toActivity(row, type, at);
                if (member != null && activity != null) {
                    histories.computeIfAbsent(member, m -> new ArrayList<>()).add(activity);
                }
            }
            histories.values().forEach(list -> list.sort(Comparator.comparing(Activity::at)));
            return new Data(histories, stockOuts);
        }
    }

    /** A truth file (event_id,source,person_id) as {@code source|event_id} -> person. */
    public static Map<String, String> persons(Path truth) throws IOException {
        try (InputStream raw = Files.newInputStream(truth);
                InputStream in = truth.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
                Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            Map<String, String> persons = new HashMap<>();
            for (CSVRecord row : CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(reader)) {
                persons.put(row.get("source") + "|" + row.get("event_id"), row.get("person_id"));
            }
            return persons;
        }
    }

    private static Activity toActivity(CSVRecord row, String type, Instant at) {
        String order = text(row, "order_id");
        String channel = text(row, "source");
        String store = text(row, "store_id");
        return switch (type) {
            case "order" -> Activity.orderLine(at, order, channel, store, text(row, "sku"), text(row, "category"),
                    number(row, "quantity"), number(row, "paid_amount"), number(row, "discount_amount"));
            case "refund" -> Activity.refund(at, order, channel, store, number(row, "refund_amount"));
            case "review" -> Activity.review(at, order, channel, (int) number(row, "rating"), text(row, "review_text"));
            case "coupon_issued" -> Activity.coupon(Activity.Kind.COUPON_ISSUED, at, order, channel, store,
                    number(row, "coupon_value"));
            case "coupon_redeemed" -> Activity.coupon(Activity.Kind.COUPON_REDEEMED, at, order, channel, store,
                    number(row, "coupon_value"));
            case "visit" -> new Activity(Activity.Kind.VISIT, at, null, channel, store, null, null, 0, 0, 0, 0, null);
            default -> null;
        };
    }

    private static String memberOf(CSVRecord row) {
        for (String column : IDENTIFIERS) {
            String value = text(row, column);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    private static Instant instant(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (RuntimeException noOffset) {
            return LocalDateTime.parse(text).toInstant(ZoneOffset.ofHours(8));
        }
    }

    private static String text(CSVRecord row, String column) {
        if (!row.isMapped(column)) {
            return null;
        }
        String value = row.get(column);
        return value == null || value.isEmpty() ? null : value;
    }

    private static double number(CSVRecord row, String column) {
        String value = text(row, column);
        return value == null ? 0 : Double.parseDouble(value);
    }
}
