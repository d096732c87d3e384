package io.memberpulse.identity;

import com.google.protobuf.InvalidProtocolBufferException;
import io.memberpulse.identity.store.CountedOrderRepository.Redirected;
import io.memberpulse.identity.store.EventRow;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.MemberEventOrBuilder;
import io.memberpulse.proto.identity.v1.OrderRef;
import io.memberpulse.proto.identity.v1.Source;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * MemberEvent.counted_order: a refund, review or coupon redemption naming an order whose lines are all flagged
 * duplicates applies to the order counted in their place; naming an order flagged only in part, to its own, said
 * explicitly so that one moved to another order comes back. What a written batch asks the store ({@link #lookup}) and
 * what it publishes with the answer ({@link #apply}): its own events with the order set, and the stored events naming
 * an order this batch wrote or flagged a line of (on arrival or by retraction), published again.
 */
final class CountedOrders {
    private static final String ORDER = "order";

    private CountedOrders() {
    }

    /**
     * @param sources, eventIds the batch's events that name an order
     * @param orderSources, orderIds the orders with a line written or flagged by this batch: a line flagged makes
     *                                    the order counted elsewhere, one counted (or repeating another order) brings
     *                                    it back
     */
    record Lookup(List<String> sources, List<String> eventIds, List<String> orderSources, List<String> orderIds) {
    }

    static Lookup lookup(List<? extends MemberEventOrBuilder> toPublish, List<EventRow> rows,
            List<EventRow> retracted) {
        Lookup lookup = new Lookup(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (MemberEventOrBuilder event : toPublish) {
            if (namesOrder(event.getEvent())) {
                lookup.sources.add(EventCodes.sourceCode(event.getEvent()));
                lookup.eventIds.add(event.getEvent().getEventId());
            }
        }
        Set<List<String>> orders = new HashSet<>();
        List<EventRow> lines = new ArrayList<>(retracted);
        rows.stream().filter(row -> ORDER.equals(row.type())).forEach(lines::add);
        for (EventRow line : lines) {
            if (line.orderId() != null && !line.orderId().isEmpty() && orders.add(List.of(line.source(), line.orderId()))) {
                lookup.orderSources.add(line.source());
                lookup.orderIds.add(line.orderId());
            }
        }
        return lookup;
    }

    /** Whether the event names an order without being one of its lines. */
    static boolean namesOrder(ChannelEvent event) {
        return (event.getType() == EventType.EVENT_TYPE_REFUND || event.getType() == EventType.EVENT_TYPE_REVIEW
                || event.getType() == EventType.EVENT_TYPE_COUPON_REDEEMED) && !event.getLine().getOrderId().isEmpty();
    }

    /**
     * The batch's events with counted_order set where found (on their builders), followed by the stored events found,
     * published again with it under the member holding each now.
     */
    static List<MemberEvent.Builder> apply(List<MemberEvent.Builder> toPublish, List<Redirected> found, Instant now) {
        if (found.isEmpty()) {
            return toPublish;
        }
        Map<String, Redirected> byKey = new HashMap<>();
        found.forEach(event -> byKey.put(event.reference(), event));
        List<MemberEvent.Builder> published = new ArrayList<>(toPublish.size() + found.size());
        for (MemberEvent.Builder event : toPublish) {
            published.add(withCountedOrder(event, byKey.remove(EventEvidenceMapper.key(event.getEvent()))));
        }
        for (Redirected stored : byKey.values()) {
            try {
                published.add(MemberEvent.newBuilder().setMemberId(stored.currentMemberId())
                        .setEvent(ChannelEvent.parseFrom(stored.payload()))
                        .setAcceptedAt(EventCodes.timestamp(now)).setCountedOrder(ref(stored)));
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("stored event " + stored.reference() + " is unreadable", e);
            }
        }
        return published;
    }

    /** The event with counted_order set when the store found one for it. */
    static MemberEvent.Builder withCountedOrder(MemberEvent.Builder event, Map<String, Redirected> found) {
        return withCountedOrder(event, found.get(EventEvidenceMapper.key(event.getEvent())));
    }

    private static MemberEvent.Builder withCountedOrder(MemberEvent.Builder event, Redirected redirected) {
        return redirected == null ? event : event.setCountedOrder(ref(redirected));
    }

    static OrderRef ref(Redirected redirected) {
        Source source = EventCodes.source(redirected.countedSource()).orElseThrow(() -> new IllegalStateException(
                "stored order " + redirected.countedOrderId() + " names no channel: " + redirected.countedSource()));
        return OrderRef.newBuilder().setSource(source).setOrderId(redirected.countedOrderId()).build();
    }
}
