package io.memberpulse.identity.store;

import io.memberpulse.identity.domain.Identifier;
import io.memberpulse.identity.domain.IdentifierType;
import io.memberpulse.identity.domain.IdentityGraph;
import io.memberpulse.identity.domain.IdentityHealth;
import io.memberpulse.proto.identity.v1.Source;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Set-at-a-time reads and writes of the identity graph for imports: one round trip per step for a
 * whole batch (unnest arrays, pipelined batches), which is what keeps a 400k-row import quick.
 */
@ApplicationScoped
public class IdentityRepository {
    private final Pool pool;

    public IdentityRepository(Pool pool) {
        this.pool = pool;
    }

    public Pool pool() {
        return pool;
    }

    /** The (source, event_id) keys among these that are already stored, as "source\u0000event_id". */
    /**
     * The events among these keys already stored, each with the SHA-256 of its stored content (the ChannelEvent's
     * bytes): a re-sent event is compared by digest, so that only the few events re-sent cross the wire.
     */
    public Uni<Map<String, byte[]>> existingEvents(SqlConnection connection, List<String> sources, List<String> eventIds) {
        return connection.preparedQuery("""
                SELECT e.source, e.event_id, sha256(e.payload) FROM channel_event e
                JOIN unnest($1::text[], $2::text[]) AS k(source, event_id)
                  ON e.source = k.source AND e.event_id = k.event_id""")
                .execute(Tuple.of(sources.toArray(String[]::new), eventIds.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, byte[]> digests = new HashMap<>();
                    for (Row row : rows) {
                        digests.put(eventKey(row.getString(0), row.getString(1)), row.getBuffer(2).getBytes());
                    }
                    return digests;
                });
    }

    /** Every channel an order line can come from, as stored in channel_event.source. */
    private static final String[] ORDER_SOURCES = Arrays.stream(Source.values())
            .filter(source -> source != Source.SOURCE_UNSPECIFIED && source != Source.UNRECOGNIZED)
            .map(source -> source.name().substring("SOURCE_".length()).toLowerCase(Locale.ROOT))
            .toArray(String[]::new);

    public static String eventKey(String source, String eventId) {
        return source + '\u0000' + eventId;
    }

    /** Current owner of each of these identifiers that has one. */
    public Uni<Map<Identifier, String>> owners(SqlConnection connection, Collection<Identifier> identifiers) {
        String[] types = identifiers.stream().map(i -> i.type().code()).toArray(String[]::new);
        String[] values = identifiers.stream().map(Identifier::value).toArray(String[]::new);
        return connection.preparedQuery("""
                SELECT i.type, i.value, i.member_id FROM member_identifier i
                JOIN unnest($1::text[], $2::text[]) AS k(type, value) ON i.type = k.type AND i.value = k.value""")
                .execute(Tuple.of(types, values))
                .map(rows -> {
                    Map<Identifier, String> owners = new HashMap<>();
                    for (Row row : rows) {
                        IdentifierType type = IdentifierType.fromCode(row.getString(0)).orElseThrow();
                        owners.put(new Identifier(type, row.getString(1)), row.getString(2));
                    }
                    return owners;
                });
    }

    /**
     * Records at which stores strong identifiers were seen and when last (each identifier's distinct stores): a row
     * already there keeps the later time, and one it would not change is not written.
     */
    public Uni<Void> recordStores(SqlConnection connection, Map<Identifier, Map<String, Instant>> stores) {
        UnnestColumns rows = new UnnestColumns(stores.size(), String.class, String.class, String.class,
                OffsetDateTime.class);
        stores.forEach((identifier, seenAt) -> seenAt.forEach((store, last) -> rows.add(identifier.type().code(),
                identifier.value(), store, offset(last))));
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return connection.preparedQuery("""
                INSERT INTO identifier_store (type, value, store_id, last_seen)
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])
                ON CONFLICT (type, value, store_id) DO UPDATE SET last_seen = EXCLUDED.last_seen
                WHERE identifier_store.last_seen < EXCLUDED.last_seen""")
                .execute(rows.tuple())
                .replaceWithVoid();
    }

    /** Records values found to be placeholders; they never link again. */
    public Uni<Void> quarantine(SqlConnection connection, Collection<Identifier> identifiers, Instant at) {
        if (identifiers.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return connection.preparedQuery("""
                INSERT INTO quarantined_identifier (type, value, quarantined_at, unglued_at)
                -- a value that linked nobody glued nobody: nothing to unglue (V16)
                SELECT k.type, k.value, $3::timestamptz, CASE WHEN EXISTS (SELECT 1 FROM member_identifier i
                         WHERE i.type = k.type AND i.value = k.value) THEN NULL ELSE $3::timestamptz END
                FROM unnest($1::text[], $2::text[]) AS k(type, value)
                ON CONFLICT DO NOTHING""")
                .execute(Tuple.of(identifiers.stream().map(i -> i.type().code()).toArray(String[]::new),
                        identifiers.stream().map(Identifier::value).toArray(String[]::new), offset(at)))
                .replaceWithVoid();
    }

    public Uni<Void> insertMembers(SqlConnection connection, Collection<String> memberIds, Instant createdAt) {
        if (memberIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return connection.preparedQuery("INSERT INTO member (id, created_at) SELECT unnest($1::text[]), $2")
                .execute(Tuple.of(memberIds.toArray(String[]::new), offset(createdAt)))
                .replaceWithVoid();
    }

    /**
     * Links identifiers to members, widening the seen-window of links that exist. A link that moves to
     * another member (a re-issued phone) first keeps its old holding period in member_identifier_period.
     */
    public Uni<Void> upsertIdentifiers(SqlConnection connection, Map<Identifier, String> links,
            Map<Identifier, Instant> firstSeen, Map<Identifier, Instant> lastSeen) {
        if (links.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String[] types = links.keySet().stream().map(i -> i.type().code()).toArray(String[]::new);
        String[] values = links.keySet().stream().map(Identifier::value).toArray(String[]::new);
        String[] members = links.keySet().stream().map(links::get).toArray(String[]::new);
        return connection.preparedQuery("""
                INSERT INTO member_identifier_period (type, value, member_id, first_seen, last_seen, ended_at)
                SELECT i.type, i.value, i.member_id, i.first_seen, i.last_seen, i.last_seen FROM member_identifier i
                JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(type, value, member_id)
                  ON i.type = k.type AND i.value = k.value AND i.member_id <> k.member_id""")
                .execute(Tuple.of(types, values, members))
                .flatMap(v -> writeLinks(connection, links, firstSeen, lastSeen));
    }

    /**
     * Records phones members held before their holder now, ended at their last use: an old holder's period as the
     * graph knows it when the phone moved (with their uses in the same batch, which the copy in upsertIdentifiers does
     * not hold yet, nor does it exist for a link made in that batch), and one learnt from events imported late (an old
     * till export after the new holder's), as a move in time order would have kept it. A period of the member's (or of
     * a member merged with it) for that value is widened instead, so one holder's uses, in one import or several and
     * in any order, make one period; but only a period that overlaps the new one or that no other member's holding
     * separates from it: a phone the member got back after somebody else had it is a second period of theirs.
     *
     * @param held each member (current) and the first and last time it was seen using the value, oldest first: one
     *             statement each, in that order, so that each sees the periods written before it (a member's two
     *             periods with another's between them in one batch)
     */
    public Uni<Void> recordPastHoldings(SqlConnection connection, List<IdentityGraph.PastHolding> held) {
        if (held.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> rows = new ArrayList<>(held.size());
        for (IdentityGraph.PastHolding window : held) {
            rows.add(Tuple.of(window.phone().type().code(), window.phone().value(), window.memberId(),
                    offset(window.first()), offset(window.last())));
        }
        return connection.preparedQuery("""
                WITH k AS (SELECT $1::text AS type, $2::text AS value, $3::text AS member_id,
                    $4::timestamptz AS first_seen, $5::timestamptz AS last_seen),
                widened AS (
                  UPDATE member_identifier_period p SET first_seen = LEAST(p.first_seen, k.first_seen),
                    last_seen = GREATEST(p.last_seen, k.last_seen), ended_at = GREATEST(p.ended_at, k.last_seen)
                  FROM k WHERE p.type = k.type AND p.value = k.value AND member_current_of(p.member_id) = k.member_id
                    AND (p.first_seen <= k.last_seen AND k.first_seen <= p.last_seen
                      OR NOT EXISTS (SELECT 1 FROM (
                          SELECT o.member_id, o.first_seen, o.last_seen FROM member_identifier_period o
                          WHERE o.type = k.type AND o.value = k.value
                          UNION ALL
                          SELECT i.member_id, i.first_seen, i.last_seen FROM member_identifier i
                          WHERE i.type = k.type AND i.value = k.value) other
                        WHERE member_current_of(other.member_id) <> k.member_id
                          AND other.first_seen < GREATEST(p.first_seen, k.first_seen)
                          AND other.last_seen > LEAST(p.last_seen, k.last_seen)))
                  RETURNING k.type, k.value, k.member_id)
                INSERT INTO member_identifier_period (type, value, member_id, first_seen, last_seen, ended_at)
                SELECT k.type, k.value, k.member_id, k.first_seen, k.last_seen, k.last_seen FROM k
                WHERE NOT EXISTS (SELECT 1 FROM widened w
                  WHERE w.type = k.type AND w.value = k.value AND w.member_id = k.member_id)""")
                .executeBatch(rows)
                .replaceWithVoid();
    }

    private Uni<Void> writeLinks(SqlConnection connection, Map<Identifier, String> links,
            Map<Identifier, Instant> firstSeen, Map<Identifier, Instant> lastSeen) {
        UnnestColumns rows = new UnnestColumns(links.size(), String.class, String.class, String.class,
                OffsetDateTime.class, OffsetDateTime.class);
        links.forEach((identifier, member) -> rows.add(identifier.type().code(), identifier.value(), member,
                offset(firstSeen.get(identifier)), offset(lastSeen.get(identifier))));
        return connection.preparedQuery("""
                INSERT INTO member_identifier (type, value, member_id, first_seen, last_seen)
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[])
                ON CONFLICT (type, value) DO UPDATE SET
                  first_seen = CASE WHEN member_identifier.member_id = EXCLUDED.member_id
                    THEN LEAST(member_identifier.first_seen, EXCLUDED.first_seen) ELSE EXCLUDED.first_seen END,
                  last_seen = CASE WHEN member_identifier.member_id = EXCLUDED.member_id
                    THEN GREATEST(member_identifier.last_seen, EXCLUDED.last_seen) ELSE EXCLUDED.last_seen END,
                  member_id = EXCLUDED.member_id""")
                .execute(rows.tuple())
                .replaceWithVoid();
    }

    /** Widens the seen-window of identifiers that were already linked; rows it would not change are not written. */
    public Uni<Void> touchIdentifiers(SqlConnection connection, Map<Identifier, Instant> firstSeen,
            Map<Identifier, Instant> lastSeen) {
        if (firstSeen.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        UnnestColumns rows = new UnnestColumns(firstSeen.size(), String.class, String.class, OffsetDateTime.class,
                OffsetDateTime.class);
        firstSeen.forEach((identifier, first) -> rows.add(identifier.type().code(), identifier.value(), offset(first),
                offset(lastSeen.get(identifier))));
        return connection.preparedQuery("""
                UPDATE member_identifier i SET first_seen = LEAST(i.first_seen, k.first_seen),
                  last_seen = GREATEST(i.last_seen, k.last_seen)
                FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[])
                  AS k(type, value, first_seen, last_seen)
                WHERE i.type = k.type AND i.value = k.value
                  AND (k.first_seen < i.first_seen OR k.last_seen > i.last_seen)""")
                .execute(rows.tuple())
                .replaceWithVoid();
    }

    /** Stores the events in one statement; one already stored (same source + event_id) is left as it is. */
    public Uni<Void> insertEvents(SqlConnection connection, List<EventRow> events, Instant acceptedAt) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        UnnestColumns rows = new UnnestColumns(events.size(), String.class, String.class, String.class, String.class,
                OffsetDateTime.class, String.class, String.class, Buffer.class, String.class, String.class);
        for (EventRow event : events) {
            rows.add(event.source(), event.eventId(), nullable(event.memberId()), event.type(), offset(event.occurredAt()),
                    nullable(event.storeId()), nullable(event.orderId()), Buffer.buffer(event.payload()),
                    nullable(event.duplicateOf()), nullable(event.deviceId()));
        }
        return connection.preparedQuery("""
                INSERT INTO channel_event (source, event_id, member_id, type, occurred_at, store_id, order_id, payload,
                  accepted_at, duplicate_of, device_id)
                SELECT source, event_id, member_id, type, occurred_at, store_id, order_id, payload, $11, duplicate_of,
                  device_id
                FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[],
                  $8::bytea[], $9::text[], $10::text[])
                  AS e(source, event_id, member_id, type, occurred_at, store_id, order_id, payload, duplicate_of, device_id)
                ON CONFLICT DO NOTHING""")
                .execute(rows.tuple(offset(acceptedAt)))
                .replaceWithVoid();
    }

    /**
     * Flags stored order lines as repeating another report ({@link EventRow#duplicateOf}), in the import's
     * transaction: lines published as counted and found since to be a second report of an order. A line flagged
     * already keeps what it names.
     */
    public Uni<Void> flagRepeated(SqlConnection connection, List<EventRow> lines) {
        if (lines.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return connection.preparedQuery("""
                UPDATE channel_event e SET duplicate_of = k.duplicate_of
                FROM unnest($1::text[], $2::text[], $3::text[]) AS k(source, event_id, duplicate_of)
                WHERE e.source = k.source AND e.event_id = k.event_id AND e.duplicate_of IS NULL""")
                .execute(Tuple.of(lines.stream().map(EventRow::source).toArray(String[]::new),
                        lines.stream().map(EventRow::eventId).toArray(String[]::new),
                        lines.stream().map(EventRow::duplicateOf).toArray(String[]::new)))
                .replaceWithVoid();
    }

    /**
     * Lists a batch's publishable events (in publishing order) as not yet acknowledged by Kafka, and takes the
     * MemberEvent.publication_version they are published with; written in the import's transaction. Returns the batch
     * id to {@link #acknowledged} later, null (and no version) when there is nothing to publish.
     *
     * @param listedAt kept as the row's accepted_at: the relay waits its grace from it, so it is taken at the write
     */
    public Uni<Listing> awaitAcknowledgement(SqlConnection connection, List<String> sources, List<String> eventIds,
            Instant listedAt) {
        if (sources.isEmpty()) {
            return Uni.createFrom().nullItem();
        }
        return connection.preparedQuery("""
                INSERT INTO unpublished_batch (accepted_at, sources, event_ids) VALUES ($1, $2, $3)
                RETURNING id, nextval('member_event_publication_version')""")
                .execute(Tuple.of(offset(listedAt), sources.toArray(String[]::new), eventIds.toArray(String[]::new)))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new Listing(row.getLong(0), row.getLong(1));
                });
    }

    /** A batch listed as not yet acknowledged, and the publication_version its events are published with. */
    public record Listing(long batchId, long publicationVersion) {
    }

    /**
     * A publication_version greater than every one taken before: for the relay, taken on the write thread in its
     * fenced transaction ({@code connection}) right before it reads the state of the events it publishes again.
     */
    public Uni<Long> nextPublicationVersion(SqlConnection connection) {
        return connection.preparedQuery("SELECT nextval('member_event_publication_version')").execute()
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /** The broker acknowledged every event of the batch. */
    public Uni<Void> acknowledged(long batchId) {
        return pool.preparedQuery("DELETE FROM unpublished_batch WHERE id = $1").execute(Tuple.of(batchId))
                .replaceWithVoid();
    }

    /** A batch whose events Kafka never acknowledged, with its stored events in publishing order. */
    public record UnpublishedBatch(long id, List<EventRow> events) {
    }

    /** The oldest batch accepted before the instant that Kafka never acknowledged, if any. */
    public Uni<UnpublishedBatch> oldestUnpublished(Instant acceptedBefore) {
        return unpublished("SELECT * FROM unpublished_batch WHERE accepted_at < $1 ORDER BY id LIMIT 1",
                Tuple.of(offset(acceptedBefore)));
    }

    private Uni<UnpublishedBatch> unpublished(String batchQuery, Tuple parameters) {
        return pool.preparedQuery("""
                SELECT b.id, e.source, e.event_id, e.member_id, e.type, e.occurred_at, e.store_id, e.order_id,
                  e.payload, e.duplicate_of
                FROM (%s) b
                CROSS JOIN LATERAL unnest(b.sources, b.event_ids) WITH ORDINALITY AS k(source, event_id, position)
                -- an erased member's events (V22) are never published again: nothing more goes out under its id
                LEFT JOIN channel_event e ON e.source = k.source AND e.event_id = k.event_id
                  AND NOT EXISTS (SELECT 1 FROM member m WHERE m.id = e.member_id AND m.erased_at IS NOT NULL)
                ORDER BY k.position""".formatted(batchQuery))
                .execute(parameters)
                .map(rows -> {
                    Long id = null;
                    List<EventRow> events = new ArrayList<>();
                    for (Row row : rows) {
                        id = row.getLong(0);
                        if (row.getString(1) != null) { // null: the event is gone (its member was erased)
                            events.add(new EventRow(row.getString(1), row.getString(2), row.getString(3),
                                    row.getString(4), row.getOffsetDateTime(5).toInstant(), row.getString(6),
                                    row.getString(7), row.getBuffer(8).getBytes(), row.getString(9), null));
                        }
                    }
                    return id == null ? null : new UnpublishedBatch(id, events);
                });
    }

    /**
     * The stored order lines a new order line may repeat: at its store, within {@code window} of it, from
     * another channel, neither a duplicate nor the original of one already found. Each new line is one (store,
     * source, time) of the three lists. Looked up per line rather than over the stores and time span of a whole
     * batch: that span held every other order of the period (in the benchmark's copies, every earlier copy's),
     * which made each batch's comparison grow with what was stored. One index range per line and other channel
     * (LATERAL, kept apart by OFFSET 0): a bulk import outruns autovacuum, and without statistics the planner
     * hash-joined every stored order line instead. The other channels are {@code sources} less the line's own,
     * so that the index (store, channel, time) is read only where a repeat can be.
     * <p>
     * With them come every stored line of their orders and of the batch's own orders ({@code orderSources},
     * {@code orderIds}), and of the orders those were paired with: an order split across batches is compared as far
     * as it is known, and its lines paired before ({@link EventRow#duplicateOf}, {@link EventRow#repeatedBy}) say
     * with which order, even when its rest came (or was rung up) more than the window after its partner. The originals
     * of duplicates found before stay out of the near lines, as before: with them, every batch would read again
     * every order paired at its stores and times (in the benchmark, every earlier copy's), and a paired order
     * has nothing left to pair unless a line of it is still unpaired, which brings the whole order.
     */
    public Uni<List<EventRow>> orderLinesNear(SqlConnection connection, List<String> storeIds, List<String> sources,
            List<Instant> times, java.time.Duration window, List<String> orderSources, List<String> orderIds) {
        if (storeIds.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return connection.preparedQuery("""
                WITH line AS (
                  SELECT DISTINCT * FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS l(store_id, source, at)),
                near AS (
                  SELECT DISTINCT o.source, o.event_id FROM line
                  CROSS JOIN LATERAL (
                    SELECT e.source, e.event_id FROM channel_event e
                    WHERE e.type = 'order' AND e.duplicate_of IS NULL AND e.store_id = line.store_id
                      AND e.source = ANY (array_remove($5::text[], line.source))
                      AND e.occurred_at BETWEEN line.at - make_interval(secs => $4) AND line.at + make_interval(secs => $4)
                    OFFSET 0) o),
                unpaired AS (
                  SELECT e.source, e.event_id, e.order_id FROM near
                  JOIN channel_event e ON e.source = near.source AND e.event_id = near.event_id
                  WHERE NOT EXISTS (SELECT 1 FROM channel_event d WHERE d.duplicate_of = e.source || ':' || e.event_id)),
                own AS (
                  SELECT e.source, e.event_id, e.duplicate_of FROM unnest($6::text[], $7::text[]) AS o(source, order_id)
                  CROSS JOIN LATERAL (
                    SELECT e.source, e.event_id, e.duplicate_of FROM channel_event e
                    WHERE e.type = 'order' AND e.source = o.source AND e.order_id = o.order_id
                    OFFSET 0) e),
                partners AS (
                  SELECT p.source, p.order_id FROM own
                  JOIN channel_event p ON p.source = split_part(own.duplicate_of, ':', 1)
                    AND p.event_id = substr(own.duplicate_of, length(split_part(own.duplicate_of, ':', 1)) + 2)
                  WHERE own.duplicate_of IS NOT NULL
                  UNION SELECT d.source, d.order_id FROM own
                  JOIN channel_event d ON d.duplicate_of = own.source || ':' || own.event_id),
                orders AS (
                  SELECT source, order_id FROM unpaired WHERE order_id <> ''
                  UNION SELECT source, order_id FROM partners),
                lines AS (
                  SELECT source, event_id FROM unpaired
                  UNION SELECT source, event_id FROM own
                  UNION SELECT o.source, o.event_id FROM orders
                  CROSS JOIN LATERAL (
                    SELECT e.source, e.event_id FROM channel_event e
                    WHERE e.type = 'order' AND e.source = orders.source AND e.order_id = orders.order_id
                    OFFSET 0) o)
                SELECT e.source, e.event_id, e.member_id, e.type, e.occurred_at, e.store_id, e.order_id, e.payload,
                  e.duplicate_of,
                  (SELECT d.source || ':' || d.event_id FROM channel_event d
                   WHERE d.duplicate_of = e.source || ':' || e.event_id LIMIT 1)
                FROM lines JOIN channel_event e ON e.source = lines.source AND e.event_id = lines.event_id""")
                .execute(Tuple.from(Arrays.asList(storeIds.toArray(String[]::new), sources.toArray(String[]::new),
                        times.stream().map(IdentityRepository::offset).toArray(OffsetDateTime[]::new),
                        (double) window.toSeconds(), ORDER_SOURCES, orderSources.toArray(String[]::new),
                        orderIds.toArray(String[]::new))))
                .map(rows -> {
                    List<EventRow> events = new ArrayList<>();
                    for (Row row : rows) {
                        events.add(new EventRow(row.getString(0), row.getString(1), row.getString(2), row.getString(3),
                                row.getOffsetDateTime(4).toInstant(), row.getString(5), row.getString(6),
                                row.getBuffer(7).getBytes(), row.getString(8), null, row.getString(9)));
                    }
                    return events;
                });
    }

    /**
     * The counts of identity health for one store, or the whole chain when storeId is null, events
     * under their current member (member_current); devices count as online when they reported within
     * {@code onlineWindow} of the latest event.
     */
    public Uni<IdentityHealth> health(String storeId, java.time.Duration onlineWindow) {
        return pool.preparedQuery("""
                WITH ev AS (
                  SELECT c.current_id AS member_id, e.source, e.type, e.occurred_at, e.device_id, e.duplicate_of
                  FROM channel_event e JOIN member_current c ON c.member_id = e.member_id
                  WHERE $1::text IS NULL OR e.store_id = $1),
                identified AS (
                  SELECT DISTINCT c.current_id AS member_id FROM member_identifier i
                  JOIN member_current c ON c.member_id = i.member_id
                  -- a value quarantined since it was linked (a walk-in placeholder) identifies nobody
                  AND NOT EXISTS (SELECT 1 FROM quarantined_identifier q WHERE q.type = i.type AND q.value = i.value)
                  WHERE c.current_id IN (SELECT member_id FROM ev)),
                per_member AS (
                  SELECT ev.member_id, count(DISTINCT ev.source) AS channels,
                         bool_or(ev.member_id IN (SELECT member_id FROM identified)) AS identified
                  FROM ev GROUP BY ev.member_id),
                latest AS (SELECT max(occurred_at) AS at FROM ev)
                SELECT (SELECT count(*) FROM per_member),
                       (SELECT count(*) FROM per_member WHERE channels >= 2),
                       (SELECT count(*) FROM per_member WHERE identified),
                       (SELECT count(*) FROM ev WHERE type = 'order' AND duplicate_of IS NULL),
                       (SELECT count(*) FROM ev WHERE type = 'order' AND duplicate_of IS NULL
                          AND member_id IN (SELECT member_id FROM identified)),
                       (SELECT count(DISTINCT device_id) FROM ev),
                       (SELECT count(DISTINCT device_id) FROM ev, latest
                          WHERE ev.occurred_at >= latest.at - make_interval(secs => $2))""")
                .execute(Tuple.of(storeId, (double) onlineWindow.toSeconds()))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new IdentityHealth(storeId, row.getLong(0), row.getLong(1), row.getLong(2), row.getLong(3),
                            row.getLong(4), row.getLong(5), row.getLong(6));
                });
    }

    private static String nullable(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    private static OffsetDateTime offset(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
