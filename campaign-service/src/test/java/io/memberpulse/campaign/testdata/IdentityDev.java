package io.memberpulse.campaign.testdata;

import com.google.protobuf.Timestamp;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.Coupon;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.Identifiers;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.Source;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * The identity-dev events as member.events, without identity-service: the member id is the truth
 * file's person id (what perfect stitching would give), and the POS side of each known duplicate
 * order pair is flagged duplicate_order, as identity-service flags it. Only the event types
 * campaign-service keeps (orders, refunds, coupons) are read.
 */
public final class IdentityDev {
    public static final Path DATASET = Path.of(System.getProperty("memberpulse.identity-dev", "../../shared/datasets/identity-dev"));
    private static final Set<String> KEPT = Set.of("order", "refund", "coupon_issued", "coupon_redeemed");

    private IdentityDev() {
    }

    public static boolean present() {
        return Files.isReadable(DATASET.resolve("events.csv.gz")) && Files.isReadable(DATASET.resolve("truth.csv.gz"));
    }

    /**
     * @param memberId the member id a person gets (a per-run prefix keeps runs apart)
     */
    public static List<MemberEvent> read(Instant from, Instant to, Function<String, String> memberId,
            String storePrefix) throws IOException {
        Map<String, String> truth = new HashMap<>();
        for (CSVRecord row : csv("truth.csv.gz")) {
            truth.put(row.get("source") + ":" + row.get("event_id"), row.get("person_id"));
        }
        Set<String> duplicates = new HashSet<>();
        if (Files.isReadable(DATASET.resolve("duplicate_orders.csv.gz"))) {
            for (CSVRecord row : csv("duplicate_orders.csv.gz")) {
                duplicates.add(row.get("source_b") + ":" + row.get("event_id_b"));
            }
        }
        List<MemberEvent> events = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (CSVRecord row : csv("events.csv.gz")) {
            String key = row.get("source") + ":" + row.get("event_id");
            String personId = truth.get(key);
            if (personId == null || !KEPT.contains(row.get("type")) || !seen.add(key)) {
                continue;
            }
            Instant at = OffsetDateTime.parse(row.get("occurred_at")).toInstant();
            if (at.isBefore(from) || !at.isBefore(to)) {
                continue;
            }
            events.add(MemberEvent.newBuilder().setMemberId(memberId.apply(personId)).setDuplicateOrder(duplicates.contains(key))
                    .setEvent(event(row, at, storePrefix)).build());
        }
        return events;
    }

    private static ChannelEvent event(CSVRecord row, Instant at, String storePrefix) {
        var event = ChannelEvent.newBuilder().setEventId(row.get("event_id"))
                .setSource(Source.valueOf("SOURCE_" + row.get("source").toUpperCase(Locale.ROOT)))
                .setType(EventType.valueOf("EVENT_TYPE_" + row.get("type").toUpperCase(Locale.ROOT)))
                .setOccurredAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond()))
                .setStoreId(row.get("store_id").isEmpty() ? "" : storePrefix + row.get("store_id"))
                .setIdentifiers(Identifiers.newBuilder().setPhone(row.get("phone")));
        var line = OrderLine.newBuilder().setOrderId(row.get("order_id")).setSku(row.get("sku")).setCategory(row.get("category"));
        number(row, "quantity").ifPresent(line::setQuantity);
        number(row, "paid_amount").ifPresent(line::setPaidAmount);
        number(row, "refund_amount").ifPresent(line::setRefundAmount);
        event.setLine(line);
        if (!row.get("coupon_id").isEmpty()) {
            var coupon = Coupon.newBuilder().setCouponId(row.get("coupon_id")).setCampaignId(row.get("campaign_id"));
            number(row, "coupon_value").ifPresent(coupon::setCouponValue);
            event.setCoupon(coupon);
        }
        return event.build();
    }

    private static java.util.Optional<Double> number(CSVRecord row, String column) {
        String text = row.get(column);
        return text.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(Double.parseDouble(text));
    }

    private static Iterable<CSVRecord> csv(String file) throws IOException {
        Reader reader = new InputStreamReader(new GZIPInputStream(Files.newInputStream(DATASET.resolve(file))), StandardCharsets.UTF_8);
        return CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(reader);
    }
}
