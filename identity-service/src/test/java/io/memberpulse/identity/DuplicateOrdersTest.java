package io.memberpulse.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.memberpulse.identity.store.EventRow;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.Source;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DuplicateOrdersTest {
    static final Duration WINDOW = Duration.ofMinutes(60);
    static final Instant DELIVERED = Instant.parse("2025-09-01T11:23:10Z");
    static final Instant RUNG_UP = DELIVERED.plusSeconds(420);

    @Test
    void twoReportsStoredInPartsNeitherHoldingTheOtherEndWithEachLineCountedOnce() {
        // stored and published as counted: the delivery order's l1,l2 and the till copy's l2,l3
        List<EventRow> stored = List.of(row(line(Source.SOURCE_DELIVERY, "a1", "MA", DELIVERED, "6901", 1, 100.11)),
                row(line(Source.SOURCE_DELIVERY, "a2", "MA", DELIVERED, "6902", 6, 137.40)),
                row(line(Source.SOURCE_POS, "b2", "SB", RUNG_UP, "6902", 6, 137.40)),
                row(line(Source.SOURCE_POS, "b3", "SB", RUNG_UP, "6903", 2, 18.00)));
        // the delivery order's last line shows the till copy holds nothing else
        List<ChannelEvent> fresh = List.of(line(Source.SOURCE_DELIVERY, "a3", "MA", DELIVERED, "6903", 2, 18.00));

        DuplicateOrders.Found found = DuplicateOrders.duplicateOf(fresh, stored, WINDOW);

        // the till's l2 is taken back; its l3, counted already, keeps the count, so the delivery's l3 is the duplicate
        assertThat(found.retracted()).extracting(EventRow::reference, EventRow::duplicateOf)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("pos:b2", "delivery:a2"));
        assertThat(found.duplicateOf()).containsExactly("pos:b3");
    }

    @Test
    void storedLinesPairedBeforeAreNotTakenBackAgain() {
        List<EventRow> stored = List.of(
                paired(line(Source.SOURCE_DELIVERY, "a1", "MA", DELIVERED, "6901", 1, 100.11), null, "pos:b1"),
                paired(line(Source.SOURCE_POS, "b1", "SB", RUNG_UP, "6901", 1, 100.11), "delivery:a1", null));
        List<ChannelEvent> fresh = List.of(line(Source.SOURCE_DELIVERY, "a2", "MA", DELIVERED, "6902", 6, 137.40));

        DuplicateOrders.Found found = DuplicateOrders.duplicateOf(fresh, stored, WINDOW);

        assertThat(found.retracted()).isEmpty();
        assertThat(found.duplicateOf()).containsOnlyNulls();
    }

    private static ChannelEvent line(Source source, String eventId, String orderId, Instant at, String sku,
            double quantity, double paid) {
        return ChannelEvent.newBuilder().setEventId(eventId).setSource(source).setType(EventType.EVENT_TYPE_ORDER)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond())).setStoreId("s1")
                .setLine(OrderLine.newBuilder().setOrderId(orderId).setSku(sku).setQuantity(quantity).setPaidAmount(paid))
                .build();
    }

    private static EventRow row(ChannelEvent event) {
        return paired(event, null, null);
    }

    private static EventRow paired(ChannelEvent event, String duplicateOf, String repeatedBy) {
        return new EventRow(ImportEventsService.sourceCode(event), event.getEventId(), "m-" + event.getEventId(),
                "order", Instant.ofEpochSecond(event.getOccurredAt().getSeconds()), event.getStoreId(),
                event.getLine().getOrderId(), event.toByteArray(), duplicateOf, null, repeatedBy);
    }
}
