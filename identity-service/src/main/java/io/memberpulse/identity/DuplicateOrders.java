package io.memberpulse.identity;

import com.google.protobuf.InvalidProtocolBufferException;
import io.memberpulse.identity.domain.EventKeys;
import io.memberpulse.identity.domain.Identifier;
import io.memberpulse.identity.domain.InvalidIdentifierException;
import io.memberpulse.identity.domain.OrderDeduplicator;
import io.memberpulse.identity.store.EventRow;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Predicate;

/** Maps a batch's order lines (and the stored ones near them) to the domain's order de-duplication. */
final class DuplicateOrders {
    private DuplicateOrders() {
    }

    /**
     * Where, from which channel and when each order line of the batch happened (one per distinct triple),
     * and the batch's orders (one per distinct source and order id).
     */
    record Lines(List<String> stores, List<String> sources, List<Instant> times, List<String> orderSources,
            List<String> orderIds) {
        static Lines of(List<ChannelEvent> fresh) {
            Set<List<Object>> seen = new HashSet<>();
            Set<List<String>> orders = new HashSet<>();
            Lines lines = new Lines(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                    new ArrayList<>());
            for (ChannelEvent event : fresh) {
                if (isOrderLine(event)) {
                    String source = EventCodes.sourceCode(event);
                    Instant at = EventCodes.instant(event.getOccurredAt());
                    if (seen.add(List.of(event.getStoreId(), source, at))) {
                        lines.stores.add(event.getStoreId());
                        lines.sources.add(source);
                        lines.times.add(at);
                    }
                    if (orders.add(List.of(source, event.getLine().getOrderId()))) {
                        lines.orderSources.add(source);
                        lines.orderIds.add(event.getLine().getOrderId());
                    }
                }
            }
            return lines;
        }

        /** The batch's orders, as {@link #orderKey} names them. */
        Set<String> orderKeys() {
            Set<String> keys = new HashSet<>();
            for (int i = 0; i < orderIds.size(); i++) {
                keys.add(orderKey(orderSources.get(i), orderIds.get(i)));
            }
            return keys;
        }
    }

    static String orderKey(String source, String orderId) {
        return EventKeys.order(source, orderId);
    }

    /**
     * @param duplicateOf for each fresh event, the "source:event_id" of the report it repeats, else null
     * @param retracted   stored lines, published as counted, that turn out to repeat another stored line: each as
     *                    stored, with {@link EventRow#duplicateOf} now naming that line
     */
    record Found(String[] duplicateOf, List<EventRow> retracted) {
    }

    /**
     * For each fresh event, the "source:event_id" of the report it repeats, else null: the earlier report in time,
     * or the stored report when that is the later one (the till's copy imported before the delivery order it rang
     * up): that one was published as counted already, so the order is counted once by flagging the fresh one.
     * <p>
     * Two stored lines paired now were both published as counted: the order's second report came in parts, and
     * the part stored first could not be told apart (two orders held its lines) or held too little. The later
     * report's line is retracted: flagged now, and published again as a duplicate so that consumers un-count it.
     *
     * @param stored      order lines already stored near the batch in time and place, with the stored lines of their
     *                    orders and of the batch's orders (those paired before name their partner)
     * @param identifiers the normalised identifiers of an event: two reports naming different people are two orders
     * @param namesNobody whether a value is a placeholder (blocked or quarantined): it tells no two people apart
     */
    static Found duplicateOf(List<ChannelEvent> fresh, List<EventRow> stored, Duration window,
            Function<ChannelEvent, List<Identifier>> identifiers, Predicate<Identifier> namesNobody) {
        List<ChannelEvent> lineEvents = new ArrayList<>();
        List<OrderDeduplicator.Line> lines = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < fresh.size(); i++) {
            ChannelEvent event = fresh.get(i);
            if (isOrderLine(event)) {
                lines.add(line(lines.size(), event, OrderDeduplicator.UNPAIRED));
                lineEvents.add(event);
                keys.add(EventKeys.event(EventCodes.sourceCode(event), event.getEventId()) + "#" + i);
            }
        }
        if (lines.isEmpty()) {
            return new Found(new String[fresh.size()], List.of());
        }
        Map<String, Integer> storedAt = new HashMap<>();
        List<EventRow> rows = new ArrayList<>();
        List<ChannelEvent> events = new ArrayList<>();
        for (EventRow row : stored) {
            try {
                ChannelEvent event = ChannelEvent.parseFrom(row.payload());
                if (isOrderLine(event) && storedAt.putIfAbsent(row.reference(), lines.size() + rows.size()) == null) {
                    rows.add(row);
                    events.add(event);
                }
            } catch (InvalidProtocolBufferException e) {
                // an unreadable stored row cannot be compared; it is reported by the relay
            }
        }
        int firstStored = lines.size();
        for (int i = 0; i < rows.size(); i++) {
            String partner = rows.get(i).pairedWith();
            int pairedWith = partner == null ? OrderDeduplicator.UNPAIRED
                    : storedAt.getOrDefault(partner, OrderDeduplicator.PAIRED_ELSEWHERE);
            lines.add(line(lines.size(), events.get(i), pairedWith));
            lineEvents.add(events.get(i));
            keys.add(rows.get(i).reference() + "#-1");
        }
        String[] duplicateOf = new String[fresh.size()];
        List<EventRow> retracted = new ArrayList<>();
        IntFunction<List<Identifier>> buyerOf = index -> buyer(lineEvents.get(index), identifiers, namesNobody);
        for (OrderDeduplicator.Pair pair : OrderDeduplicator.duplicates(lines, window, buyerOf)) {
            String duplicate = keys.get(pair.duplicate().index());
            String original = keys.get(pair.original().index());
            if (freshIndex(duplicate) >= 0) {
                duplicateOf[freshIndex(duplicate)] = reference(original);
            } else if (freshIndex(original) >= 0) {
                duplicateOf[freshIndex(original)] = reference(duplicate); // the later report came first
            } else if (pair.duplicate().pairedWith() == OrderDeduplicator.UNPAIRED
                    && pair.original().pairedWith() == OrderDeduplicator.UNPAIRED) {
                retracted.add(rows.get(pair.duplicate().index() - firstStored).repeating(reference(original)));
            }
        }
        return new Found(duplicateOf, retracted);
    }

    /** The position in the batch of a key made above; -1 for a stored line. */
    private static int freshIndex(String key) {
        return Integer.parseInt(key.substring(key.lastIndexOf('#') + 1));
    }

    private static String reference(String key) {
        return key.substring(0, key.lastIndexOf('#'));
    }

    private static boolean isOrderLine(ChannelEvent event) {
        return event.getType() == EventType.EVENT_TYPE_ORDER && !event.getStoreId().isBlank()
                && !event.getLine().getOrderId().isBlank() && event.getLine().hasQuantity()
                && event.getLine().hasPaidAmount();
    }

    /** The buyer's identifiers, placeholders left out; none when a stored one no longer reads. */
    private static List<Identifier> buyer(ChannelEvent event, Function<ChannelEvent, List<Identifier>> identifiers,
            Predicate<Identifier> namesNobody) {
        try {
            return identifiers.apply(event).stream().filter(id -> !namesNobody.test(id)).toList();
        } catch (InvalidIdentifierException e) {
            // a value taken as a listed placeholder when stored and taken off the list since: it named nobody then
            return List.of();
        }
    }

    private static OrderDeduplicator.Line line(int index, ChannelEvent event, int pairedWith) {
        return new OrderDeduplicator.Line(index, EventCodes.sourceCode(event), event.getLine().getOrderId(),
                event.getStoreId(), EventCodes.instant(event.getOccurredAt()), event.getLine().getSku(),
                event.getLine().getQuantity(), event.getLine().getPaidAmount(), pairedWith);
    }
}
