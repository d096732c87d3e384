package io.memberpulse.identity.store;

import com.google.protobuf.InvalidProtocolBufferException;
import io.memberpulse.identity.domain.Attribution.TouchKind;
import io.memberpulse.identity.domain.Attribution.TouchPoint;
import io.memberpulse.identity.domain.EventKeys;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * What attribution reads: order lines and touch points, each under its CURRENT member (the view
 * member_current follows merged_into), mapped at once to small records; reads of every event go
 * through a cursor, so a large graph is never held as rows or protobuf messages.
 */
@ApplicationScoped
public class AttributionRepository {
    private static final int FETCH = 2_000;
    private static final String TOUCH_TYPES = "('coupon_issued', 'coupon_redeemed', 'visit', 'register')";
    private static final String COLUMNS = """
            SELECT e.source, e.event_id, c.current_id, e.type, e.occurred_at, e.duplicate_of, e.payload
            FROM channel_event e JOIN member_current c ON c.member_id = e.member_id""";

    private final Pool pool;

    public AttributionRepository(Pool pool) {
        this.pool = pool;
    }

    /** One order line under its current member; {@code duplicateOf} is set when another channel reported it first. */
    public record OrderLine(String source, String eventId, String orderId, String memberId, Instant at, double paidAmount,
            String duplicateOf) {
    }

    /** A touch point of a current member. */
    public record MemberTouch(String memberId, TouchPoint touch) {
    }

    /** The lines of one order as its channel reported them (empty when unknown). */
    public Uni<List<OrderLine>> orderLines(String source, String orderId) {
        return pool.preparedQuery(COLUMNS + " WHERE e.type = 'order' AND e.source = $1 AND e.order_id = $2")
                .execute(Tuple.of(source, orderId))
                .map(rows -> java.util.stream.StreamSupport.stream(rows.spliterator(), false)
                        .map(AttributionRepository::orderLine).filter(Objects::nonNull).toList());
    }

    /** The touch points of a current member between the instants. */
    public Uni<List<MemberTouch>> touchesOf(String currentMemberId, Instant from, Instant to) {
        return pool.preparedQuery(COLUMNS + " WHERE c.current_id = $1 AND e.type IN " + TOUCH_TYPES
                        + " AND e.occurred_at BETWEEN $2 AND $3")
                .execute(Tuple.of(currentMemberId, offset(from), offset(to)))
                .map(rows -> java.util.stream.StreamSupport.stream(rows.spliterator(), false)
                        .map(AttributionRepository::touch).filter(Objects::nonNull).toList());
    }

    /** Every touch point. */
    public Uni<List<MemberTouch>> allTouches() {
        return streamed(COLUMNS + " WHERE e.type IN " + TOUCH_TYPES, AttributionRepository::touch);
    }

    /**
     * Hands every order line counted once (no other channel's repeat of an order) to {@code each}, read through a
     * cursor in order of source and order id, so that each order's lines come together (earliest first) and a caller
     * holds one order at a time, not every line of every order.
     */
    public <A> Uni<A> foldCountedOrderLines(A into, BiConsumer<A, OrderLine> each) {
        String sql = COLUMNS + " WHERE e.type = 'order' AND e.duplicate_of IS NULL"
                + " ORDER BY e.source, e.order_id, e.occurred_at, e.event_id";
        return pool.withTransaction(connection -> connection.prepare(sql)
                .flatMap(statement -> statement.createStream(FETCH).toMulti()
                        .collect().in(() -> into, (A folded, Row row) -> {
                            OrderLine line = orderLine(row);
                            if (line != null) { // no paid amount, or a payload that no longer reads
                                each.accept(folded, line);
                            }
                        })));
    }

    private <T> Uni<List<T>> streamed(String sql, java.util.function.Function<Row, T> mapper) {
        // a cursor needs a transaction; read-only, it changes nothing
        return pool.withTransaction(connection -> connection.prepare(sql)
                .flatMap(statement -> statement.createStream(FETCH).toMulti()
                        // rows that are no touch point (a registration without a campaign) map to null: skipped
                        .collect().in(ArrayList::new, (List<T> kept, Row row) -> {
                            T mapped = mapper.apply(row);
                            if (mapped != null) {
                                kept.add(mapped);
                            }
                        })));
    }

    private static OrderLine orderLine(Row row) {
        ChannelEvent event = event(row);
        if (event == null || !event.getLine().hasPaidAmount()) {
            return null;
        }
        return new OrderLine(row.getString(0), row.getString(1), event.getLine().getOrderId(), row.getString(2),
                row.getOffsetDateTime(4).toInstant(), event.getLine().getPaidAmount(), row.getString(5));
    }

    private static MemberTouch touch(Row row) {
        ChannelEvent event = event(row);
        if (event == null) {
            return null;
        }
        String campaign = event.getCoupon().getCampaignId();
        TouchKind kind = switch (row.getString(3)) {
            case "coupon_redeemed" -> TouchKind.COUPON_REDEEMED;
            case "coupon_issued" -> TouchKind.COUPON_ISSUED;
            case "visit" -> campaign.isBlank() ? TouchKind.VISIT : TouchKind.CAMPAIGN;
            default -> campaign.isBlank() ? null : TouchKind.CAMPAIGN; // a registration from a campaign
        };
        return kind == null ? null : new MemberTouch(row.getString(2), new TouchPoint(EventKeys.event(row.getString(0), row.getString(1)),
                kind, row.getOffsetDateTime(4).toInstant(), row.getString(0), campaign));
    }

    private static ChannelEvent event(Row row) {
        try {
            return ChannelEvent.parseFrom(row.getBuffer(6).getBytes());
        } catch (InvalidProtocolBufferException e) {
            return null; // stored payloads were written from parsed events; an unreadable one is left out
        }
    }

    private static OffsetDateTime offset(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
