package io.memberpulse.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.memberpulse.identity.domain.Identifier;
import io.memberpulse.identity.domain.IdentifierNormalizer;
import io.memberpulse.identity.domain.IdentityGraph;
import io.memberpulse.identity.domain.MatchWeights;
import io.memberpulse.identity.domain.StitchGuardrails;
import io.memberpulse.identity.store.EventRow;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.Identifiers;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.Source;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class DuplicateOrdersTest {
    static final Duration WINDOW = Duration.ofMinutes(60);
    static final Instant DELIVERED = Instant.parse("2025-09-01T11:23:10Z");
    static final Instant RUNG_UP = DELIVERED.plusSeconds(420);
    /** Reports that name no buyer: nothing tells them apart. */
    static final Function<ChannelEvent, List<Identifier>> UNKNOWN_BUYER = event -> List.of();
    static final Predicate<Identifier> NO_PLACEHOLDER = identifier -> false;

    @Test
    void twoReportsStoredInPartsNeitherHoldingTheOtherEndWithEachLineCountedOnce() {
        // stored and published as counted: the delivery order's l1,l2 and the till copy's l2,l3
        List<EventRow> stored = List.of(row(line(Source.SOURCE_DELIVERY, "a1", "MA", DELIVERED, "6901", 1, 100.11)),
                row(line(Source.SOURCE_DELIVERY, "a2", "MA", DELIVERED, "6902", 6, 137.40)),
                row(line(Source.SOURCE_POS, "b2", "SB", RUNG_UP, "6902", 6, 137.40)),
                row(line(Source.SOURCE_POS, "b3", "SB", RUNG_UP, "6903", 2, 18.00)));
        // the delivery order's last line shows the till copy holds nothing else
        List<ChannelEvent> fresh = List.of(line(Source.SOURCE_DELIVERY, "a3", "MA", DELIVERED, "6903", 2, 18.00));

        DuplicateOrders.Found found = DuplicateOrders.duplicateOf(fresh, stored, WINDOW, UNKNOWN_BUYER, NO_PLACEHOLDER);

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

        DuplicateOrders.Found found = DuplicateOrders.duplicateOf(fresh, stored, WINDOW, UNKNOWN_BUYER, NO_PLACEHOLDER);

        assertThat(found.retracted()).isEmpty();
        assertThat(found.duplicateOf()).containsOnlyNulls();
    }

    /**
     * A mini-app latte of member X and, 20 minutes later at the same store, a till latte of member Y: alike in store,
     * product, quantity and amount, but two people's. They were paired and Y's sale was never counted.
     */
    @Test
    void linesOfTwoIdentifiedPeopleAreNeverOneOrder() {
        ChannelEvent x = identified(line(Source.SOURCE_MINIAPP, "x1", "OX", DELIVERED, "latte", 1, 28.00),
                Identifiers.newBuilder().setMemberNo("X").setPhone("13912345678"));
        ChannelEvent y = identified(line(Source.SOURCE_POS, "y1", "OY", DELIVERED.plusSeconds(1200), "latte", 1, 28.00),
                Identifiers.newBuilder().setMemberNo("Y"));
        assertThat(linked(List.of(x, y), List.of()).duplicateOf()).containsOnlyNulls();
        assertThat(linked(List.of(y), List.of(row(x))).duplicateOf()).containsOnlyNulls();
        // phones too: two full phones, neither a placeholder
        ChannelEvent z = identified(line(Source.SOURCE_POS, "z1", "OZ", DELIVERED.plusSeconds(1200), "latte", 1, 28.00),
                Identifiers.newBuilder().setPhone("13712345678"));
        assertThat(linked(List.of(x, z), List.of()).duplicateOf()).containsOnlyNulls();
    }

    /** What still pairs: the till copy under a placeholder phone, or under the same member, or naming nobody. */
    @Test
    void linesWhoseIdentifiersDoNotDisagreeArePairedAsBefore() {
        ChannelEvent x = identified(line(Source.SOURCE_MINIAPP, "x1", "OX", DELIVERED, "latte", 1, 28.00),
                Identifiers.newBuilder().setMemberNo("X").setPhone("13912345678"));
        ChannelEvent placeholder = identified(line(Source.SOURCE_POS, "p1", "OP", RUNG_UP, "latte", 1, 28.00),
                Identifiers.newBuilder().setPhone("13800000000"));
        ChannelEvent same = identified(line(Source.SOURCE_POS, "s1", "OS", RUNG_UP, "latte", 1, 28.00),
                Identifiers.newBuilder().setMemberNo("X").setPhone("139 1234 5678"));
        ChannelEvent device = identified(line(Source.SOURCE_POS, "d1", "OD", RUNG_UP, "latte", 1, 28.00),
                Identifiers.newBuilder().setDeviceId("till-7").setMemberNo("X"));
        for (ChannelEvent copy : List.of(placeholder, same, device)) {
            assertThat(linked(List.of(x, copy), List.of()).duplicateOf()).as(copy.getEventId())
                    .containsExactly(null, "miniapp:x1");
            assertThat(linked(List.of(copy), List.of(row(x))).duplicateOf()).as(copy.getEventId())
                    .containsExactly("miniapp:x1");
        }
    }

    private static BatchLinker.Linked linked(List<ChannelEvent> fresh, List<EventRow> stored) {
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        return BatchLinker.link(new IdentityGraph(StitchGuardrails.DEFAULTS, MatchWeights.OFF),
                new IdentifierNormalizer("CN", StitchGuardrails.DEFAULTS::isBlocked), fresh, stored, WINDOW,
                () -> "m" + next.incrementAndGet());
    }

    private static ChannelEvent identified(ChannelEvent event, Identifiers.Builder identifiers) {
        return event.toBuilder().setIdentifiers(identifiers).build();
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
        return new EventRow(EventCodes.sourceCode(event), event.getEventId(), "m-" + event.getEventId(),
                "order", Instant.ofEpochSecond(event.getOccurredAt().getSeconds()), event.getStoreId(),
                event.getLine().getOrderId(), event.toByteArray(), duplicateOf, null, repeatedBy);
    }
}
