package io.memberpulse.rfm.testdata;

import com.google.protobuf.Timestamp;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.Source;
import io.memberpulse.rfm.domain.PurchaseLine;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * The Online Retail data set (../shared/datasets/online-retail.events.csv.gz, channel-event CSV):
 * every row under its member_no, as the member events identity-service would publish for it.
 * Its cancellations are refunds under their own "C…" invoice numbers, never an order's id.
 */
public final class OnlineRetail {
    public static final Path FILE = Path.of("..", "..", "shared", "datasets", "online-retail.events.csv.gz");

    /** One row: an order line or a refund. */
    public record Row(String eventId, String source, boolean refund, Instant at, String storeId, String memberNo,
            String orderId, String sku, double paid, double refunded) {

        public String memberId() {
            return "or-" + memberNo;
        }

        public PurchaseLine line() {
            return new PurchaseLine(orderId, refund ? PurchaseLine.Kind.REFUND : PurchaseLine.Kind.ORDER, at, storeId,
                    refund ? 0 : paid, null, refund ? refunded : 0);
        }

        public MemberEvent event() {
            OrderLine.Builder line = OrderLine.newBuilder().setOrderId(orderId).setSku(sku);
            if (refund) {
                line.setRefundAmount(refunded);
            } else {
                line.setPaidAmount(paid);
            }
            return MemberEvent.newBuilder().setMemberId(memberId()).setEvent(ChannelEvent.newBuilder()
                    .setEventId(eventId).setSource(Source.SOURCE_ECOMMERCE)
                    .setType(refund ? EventType.EVENT_TYPE_REFUND : EventType.EVENT_TYPE_ORDER)
                    .setOccurredAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()))
                    .setStoreId(storeId).setLine(line)).build();
        }
    }

    private OnlineRetail() {
    }

    public static boolean available() {
        return Files.isReadable(FILE);
    }

    /** The rows of the members the filter keeps (by member_no), in event-time order. */
    public static List<Row> rows(Predicate<String> memberNos) throws IOException {
        List<Row> rows = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(FILE); InputStream in = new GZIPInputStream(raw, 1 << 16);
                Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            for (CSVRecord r : CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(reader)) {
                String memberNo = r.get("member_no");
                if (memberNo.isEmpty() || !memberNos.test(memberNo)) {
                    continue;
                }
                boolean refund = r.get("type").equals("refund");
                rows.add(new Row(r.get("event_id"), r.get("source"), refund, OffsetDateTime.parse(r.get("occurred_at")).toInstant(),
                        r.get("store_id"), memberNo, r.get("order_id"), r.get("sku"), number(r.get("paid_amount")),
                        number(r.get("refund_amount"))));
            }
        }
        rows.sort(Comparator.comparing(Row::at));
        return rows;
    }

    private static double number(String text) {
        return text.isEmpty() ? 0 : Double.parseDouble(text);
    }
}
