package io.memberpulse.identity.store;

import io.memberpulse.identity.domain.EventKeys;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The order a refund, review or coupon redemption applies to when the order it names (its source + order_id) has a
 * line flagged as repeating another report: when every stored line of it is, the order of the lines they repeat (one
 * order; lines repeating two orders name none), else its own order, which counts in part. Read in the import's
 * transaction, after its events and flags are written, so that lines stored in the same batch count.
 */
@ApplicationScoped
public class CountedOrderRepository {
    /** The event types that name an order without being one of its lines, as channel_event.type spells them. */
    private static final String NAMING_TYPES = "('refund', 'review', 'coupon_redeemed')";

    /**
     * An event naming an order with a flagged line, as stored, with the member holding it now and the order it applies
     * to ({@code countedSource} as channel_event.source spells it): the order counted instead, or its own.
     */
    public record Redirected(String source, String eventId, String currentMemberId, byte[] payload, String countedSource,
            String countedOrderId) {
        public String reference() {
            return EventKeys.event(source, eventId);
        }
    }

    /**
     * The events among {@code sources}/{@code eventIds} (keys) and the stored events naming one of the orders
     * {@code orderSources}/{@code orderIds}, that name an order with a flagged line: each once; none of an erased
     * member's (V22), which would be published again under the erased id.
     *
     * @param client the import's transaction, or the relay's (fenced as an import's)
     */
    public Uni<List<Redirected>> redirected(SqlClient client, List<String> sources, List<String> eventIds,
            List<String> orderSources, List<String> orderIds) {
        if (sources.isEmpty() && orderSources.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return client.preparedQuery("""
                WITH named AS (
                  SELECT e.source, e.event_id FROM unnest($1::text[], $2::text[]) AS k(source, event_id)
                  JOIN channel_event e ON e.source = k.source AND e.event_id = k.event_id
                  WHERE e.type IN %1$s AND e.order_id <> ''
                  UNION SELECT e.source, e.event_id FROM (SELECT DISTINCT * FROM unnest($3::text[], $4::text[])) AS o(source, order_id)
                  JOIN channel_event e ON e.source = o.source AND e.order_id = o.order_id
                  WHERE e.type IN %1$s AND e.order_id <> '')
                SELECT e.source, e.event_id, coalesce(member_current_of(e.member_id), ''), e.payload,
                  coalesce(c.source, e.source), coalesce(c.order_id, e.order_id)
                FROM named JOIN channel_event e ON e.source = named.source AND e.event_id = named.event_id
                -- the order its flagged lines repeat when all are flagged and repeat one order, else none: its own
                CROSS JOIN LATERAL (
                  SELECT CASE WHEN whole THEN source END AS source, CASE WHEN whole THEN order_id END AS order_id FROM (
                    SELECT count(o.source) = count(*) AND min(o.source) = max(o.source)
                        AND min(o.order_id) = max(o.order_id) AS whole, min(o.source) AS source, min(o.order_id) AS order_id
                    FROM channel_event l
                    LEFT JOIN channel_event o ON o.source = split_part(l.duplicate_of, ':', 1)
                      AND o.event_id = substr(l.duplicate_of, length(split_part(l.duplicate_of, ':', 1)) + 2)
                    WHERE l.type = 'order' AND l.source = e.source AND l.order_id = e.order_id
                    HAVING count(l.duplicate_of) > 0) flagged) c
                -- nothing of an erased member (V22) is published again: it would go out scrubbed under the erased id
                WHERE NOT EXISTS (SELECT 1 FROM member m WHERE m.id = member_current_of(e.member_id)
                                    AND m.erased_at IS NOT NULL)""".formatted(NAMING_TYPES))
                .execute(Tuple.from(Arrays.asList(sources.toArray(String[]::new), eventIds.toArray(String[]::new),
                        orderSources.toArray(String[]::new), orderIds.toArray(String[]::new))))
                .map(rows -> {
                    List<Redirected> found = new ArrayList<>();
                    for (Row row : rows) {
                        found.add(new Redirected(row.getString(0), row.getString(1), row.getString(2),
                                row.getBuffer(3).getBytes(), row.getString(4), row.getString(5)));
                    }
                    return found;
                });
    }
}
