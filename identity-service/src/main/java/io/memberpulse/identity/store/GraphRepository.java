package io.memberpulse.identity.store;

import io.memberpulse.identity.domain.Identifier;
import io.memberpulse.identity.domain.IdentifierType;
import io.memberpulse.identity.domain.MergeRecord;
import io.memberpulse.identity.domain.RecordedMerge;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The identity graph's own tables: reading everything the in-memory graph is rebuilt from, writing
 * merges with their evidence, splits, and the member.merges outbox.
 */
@ApplicationScoped
public class GraphRepository {
    private static final int PAGE = 20_000;

    private final Pool pool;
    private final int pageSize;

    @Inject
    public GraphRepository(Pool pool) {
        this(pool, PAGE);
    }

    /** @param pageSize rows per page while the graph loads (small in a test that crosses page ends) */
    GraphRepository(Pool pool, int pageSize) {
        this.pool = pool;
        this.pageSize = pageSize;
    }

    public record MemberRow(String id, String mergedInto) {
    }

    public record LinkRow(Identifier identifier, String memberId, Instant firstSeen, Instant lastSeen) {
    }

    /** A stored member-bearing event: its member as stored and its protobuf payload. */
    /** @param duplicateOf the other channel's report of this order line ("source:event_id"), or null */
    public record StoredEvent(String source, String eventId, String memberId, byte[] payload, String duplicateOf) {
        public StoredEvent(String source, String eventId, String memberId, byte[] payload) {
            this(source, eventId, memberId, payload, null);
        }
    }

    /** A value quarantined after it linked, not unglued yet, and the member holding it now (null: none). */
    public record PendingUnglue(Identifier identifier, String memberId) {
    }

    /** A store a strong value was seen at, and when last (V17). */
    public record StoreRow(Identifier identifier, String storeId, Instant lastSeen) {
    }

    public record ChangeRow(long id, String memberKey, byte[] payload) {
    }

    // ---- loading the graph (blocking, once) ----
    // Every table is read a page at a time: at millions of rows a whole row set held while the graph
    // it feeds grows does not fit the heap the service is sized for.

    public void members(Consumer<MemberRow> each) {
        inKeyOrder("SELECT id, merged_into FROM member WHERE id > $1 ORDER BY id LIMIT $2", 1,
                row -> each.accept(new MemberRow(row.getString(0), row.getString(1))));
    }

    /** The members erased at the person's request (V22), those merged into them included. */
    public List<String> erasedMembers() {
        return pool.query("SELECT id FROM member WHERE erased_at IS NOT NULL").execute()
                .map(rows -> {
                    List<String> ids = new ArrayList<>();
                    rows.forEach(row -> ids.add(row.getString(0)));
                    return ids;
                }).await().indefinitely();
    }

    public void links(Consumer<LinkRow> each) {
        inKeyOrder("""
                SELECT type, value, member_id, first_seen, last_seen FROM member_identifier
                WHERE (type, value) > ($1, $2) ORDER BY type, value LIMIT $3""", 2,
                row -> each.accept(new LinkRow(identifier(row, 0), row.getString(2),
                        row.getOffsetDateTime(3).toInstant(), row.getOffsetDateTime(4).toInstant())));
    }

    public List<Identifier> quarantined() {
        return pool.query("SELECT type, value FROM quarantined_identifier").execute()
                .map(rows -> {
                    List<Identifier> found = new ArrayList<>();
                    rows.forEach(row -> found.add(identifier(row, 0)));
                    return found;
                }).await().indefinitely();
    }

    public void identifierStores(Consumer<StoreRow> each) {
        inKeyOrder("""
                SELECT type, value, store_id, last_seen FROM identifier_store
                WHERE (type, value, store_id) > ($1, $2, $3) ORDER BY type, value, store_id LIMIT $4""", 3,
                row -> each.accept(new StoreRow(identifier(row, 0), row.getString(2),
                        row.getOffsetDateTime(3).toInstant())));
    }

    public List<String[]> cannotLink() {
        return pool.query("SELECT member_a, member_b FROM member_cannot_link").execute()
                .map(rows -> {
                    List<String[]> pairs = new ArrayList<>();
                    rows.forEach(row -> pairs.add(new String[] {row.getString(0), row.getString(1)}));
                    return pairs;
                }).await().indefinitely();
    }

    /** Every member-bearing event, a page at a time in key order. */
    public void storedEvents(Consumer<StoredEvent> each) {
        inKeyOrder("""
                SELECT source, event_id, member_id, payload FROM channel_event
                WHERE member_id IS NOT NULL AND (source, event_id) > ($1, $2)
                ORDER BY source, event_id LIMIT $3""", 2,
                row -> each.accept(new StoredEvent(row.getString(0), row.getString(1), row.getString(2),
                        row.getBuffer(3).getBytes())));
    }

    /**
     * Runs a keyset-paged query to its end, one page in memory at a time.
     *
     * @param sql        selects the key's text columns first, takes the last key read as its first
     *                   {@code keyColumns} parameters (empty strings: from the start) and the page size last
     */
    private void inKeyOrder(String sql, int keyColumns, Consumer<Row> each) {
        Object[] parameters = new Object[keyColumns + 1];
        Arrays.fill(parameters, "");
        parameters[keyColumns] = pageSize;
        while (true) {
            RowSet<Row> page = pool.preparedQuery(sql).execute(Tuple.from(parameters)).await().indefinitely();
            Row last = null;
            for (Row row : page) {
                each.accept(row);
                last = row;
            }
            if (page.size() < pageSize) {
                return;
            }
            for (int column = 0; column < keyColumns; column++) {
                parameters[column] = last.getString(column);
            }
        }
    }

    // ---- merges (inside the import transaction) ----

    /**
     * Records merges: absorbed members point at their survivor, the identifiers of absorbed members
     * move to the final survivor, the evidence is kept, and one member.merges change per merge is queued.
     *
     * @param ids       the evidence id of each merge
     * @param finalRoot the member each absorbed member now stands for
     * @param changes   the MemberIdentityChange payload of each merge
     */
    public Uni<Void> recordMerges(SqlConnection connection, List<MergeRecord> merges, List<String> ids,
            Map<String, String> finalRoot, List<byte[]> changes, Instant at) {
        if (merges.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String[] absorbed = merges.stream().map(MergeRecord::absorbedMemberId).toArray(String[]::new);
        String[] survivors = merges.stream().map(MergeRecord::survivingMemberId).toArray(String[]::new);
        String[] roots = Arrays.stream(absorbed).map(finalRoot::get).toArray(String[]::new);
        List<Tuple> evidence = new ArrayList<>(merges.size());
        List<Tuple> outbox = new ArrayList<>(merges.size());
        for (int i = 0; i < merges.size(); i++) {
            MergeRecord merge = merges.get(i);
            evidence.add(Tuple.from(Arrays.asList(ids.get(i), merge.survivingMemberId(), merge.absorbedMemberId(),
                    merge.rule(), merge.score(), merge.identifiers().toArray(String[]::new),
                    merge.reasons().toArray(String[]::new), merge.eventKey(),
                    merge.occurredAt() == null ? null : offset(merge.occurredAt()), offset(at))));
            outbox.add(Tuple.of(merge.absorbedMemberId(), Buffer.buffer(changes.get(i)), offset(at)));
        }
        return connection.preparedQuery("""
                UPDATE member SET merged_into = k.survivor
                FROM unnest($1::text[], $2::text[]) AS k(absorbed, survivor) WHERE member.id = k.absorbed""")
                .execute(Tuple.of(absorbed, survivors))
                .flatMap(v -> connection.preparedQuery("""
                        UPDATE member_identifier SET member_id = k.root
                        FROM unnest($1::text[], $2::text[]) AS k(absorbed, root) WHERE member_identifier.member_id = k.absorbed""")
                        .execute(Tuple.of(absorbed, roots)))
                .flatMap(v -> connection.preparedQuery("""
                        INSERT INTO member_merge (id, surviving_member_id, absorbed_member_id, rule, score, identifiers,
                          reasons, event_key, occurred_at, merged_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""")
                        .executeBatch(evidence))
                .flatMap(v -> queueChanges(connection, outbox))
                .replaceWithVoid();
    }

    /** Queues member.merges payloads (member key, payload, created at). */
    public Uni<Void> queueChanges(SqlConnection connection, List<Tuple> outbox) {
        if (outbox.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return connection.preparedQuery("INSERT INTO identity_change (member_key, payload, created_at) VALUES ($1, $2, $3)")
                .executeBatch(outbox).replaceWithVoid();
    }

    public Uni<List<ChangeRow>> unpublishedChanges(int limit) {
        return pool.preparedQuery("""
                SELECT id, member_key, payload FROM identity_change WHERE published_at IS NULL ORDER BY id LIMIT $1""")
                .execute(Tuple.of(limit))
                .map(rows -> {
                    List<ChangeRow> changes = new ArrayList<>();
                    rows.forEach(row -> changes.add(new ChangeRow(row.getLong(0), row.getString(1),
                            row.getBuffer(2).getBytes())));
                    return changes;
                });
    }

    public Uni<Void> markChangesPublished(List<Long> ids, Instant at) {
        if (ids.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return pool.preparedQuery("UPDATE identity_change SET published_at = $2 WHERE id = ANY($1::bigint[])")
                .execute(Tuple.of(ids.toArray(Long[]::new), offset(at))).replaceWithVoid();
    }

    // ---- evidence ----

    /** The merges that made this member: into it, and into every member it absorbed, newest first. */
    public Uni<List<RecordedMerge>> mergesOf(String memberId) {
        return pool.preparedQuery("""
                WITH RECURSIVE part(id) AS (
                  SELECT $1::text UNION SELECT m.id FROM member m JOIN part ON m.merged_into = part.id)
                SELECT id, surviving_member_id, absorbed_member_id, rule, score, identifiers, reasons, event_key,
                       occurred_at, merged_at, undone_by
                FROM member_merge WHERE surviving_member_id IN (SELECT id FROM part) OR absorbed_member_id = $1
                ORDER BY merged_at DESC, id""")
                .execute(Tuple.of(memberId))
                .map(rows -> {
                    List<RecordedMerge> merges = new ArrayList<>();
                    for (Row row : rows) {
                        OffsetDateTime occurred = row.getOffsetDateTime(8);
                        merges.add(new RecordedMerge(row.getString(0), row.getString(1), row.getString(2), row.getString(3),
                                row.getDouble(4), Arrays.asList(row.getArrayOfStrings(5)),
                                Arrays.asList(row.getArrayOfStrings(6)), row.getString(7),
                                occurred == null ? null : occurred.toInstant(), row.getOffsetDateTime(9).toInstant(),
                                row.getString(10)));
                    }
                    return merges;
                });
    }

    /**
     * The member a member id stands for now (following merged_into), or null when unknown or erased (V22: an erased
     * member, and every member merged into it, reads as unknown): V10's member_current_of, the one definition every
     * export, count and read uses.
     */
    public Uni<String> currentMember(String memberId) {
        return pool.preparedQuery("""
                SELECT c.id FROM (SELECT member_current_of($1) AS id) c
                WHERE NOT EXISTS (SELECT 1 FROM member m WHERE m.id = c.id AND m.erased_at IS NOT NULL)""")
                .execute(Tuple.of(memberId))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(0));
    }

    // ---- splits ----

    /** The events (key "source:event_id" and payload) whose current member is this one. */
    public Uni<List<StoredEvent>> eventsOf(String memberId) {
        return pool.preparedQuery("""
                WITH RECURSIVE part(id) AS (
                  SELECT $1::text UNION SELECT m.id FROM member m JOIN part ON m.merged_into = part.id)
                SELECT source, event_id, member_id, payload, duplicate_of FROM channel_event
                WHERE member_id IN (SELECT id FROM part)""")
                .execute(Tuple.of(memberId))
                .map(rows -> {
                    List<StoredEvent> events = new ArrayList<>();
                    rows.forEach(row -> events.add(new StoredEvent(row.getString(0), row.getString(1), row.getString(2),
                            row.getBuffer(3).getBytes(), row.getString(4))));
                    return events;
                });
    }

    // ---- placeholders found after they linked (V16) ----

    /** Whether a value quarantined after it linked waits to be unglued (a cheap look on a partial index). */
    public Uni<Boolean> anyToUnglue() {
        return pool.query("SELECT EXISTS (SELECT 1 FROM quarantined_identifier WHERE unglued_at IS NULL)").execute()
                .map(rows -> rows.iterator().next().getBoolean(0));
    }

    /** The values quarantined after they linked and not unglued yet, each with the member holding it now. */
    public Uni<List<PendingUnglue>> toUnglue() {
        return pool.query("""
                SELECT q.type, q.value, member_current_of(i.member_id) FROM quarantined_identifier q
                LEFT JOIN member_identifier i ON i.type = q.type AND i.value = q.value
                WHERE q.unglued_at IS NULL ORDER BY q.quarantined_at, q.type, q.value""").execute()
                .map(rows -> {
                    List<PendingUnglue> pending = new ArrayList<>();
                    rows.forEach(row -> pending.add(new PendingUnglue(identifier(row, 0), row.getString(2))));
                    return pending;
                });
    }

    /** Marks values as unglued (in the transaction of their member's split, if one was needed). */
    public Uni<Void> markUnglued(SqlConnection connection, List<Identifier> identifiers, Instant at) {
        return connection.preparedQuery("""
                UPDATE quarantined_identifier q SET unglued_at = $3
                FROM unnest($1::text[], $2::text[]) AS k(type, value) WHERE q.type = k.type AND q.value = k.value""")
                .execute(Tuple.of(identifiers.stream().map(i -> i.type().code()).toArray(String[]::new),
                        identifiers.stream().map(Identifier::value).toArray(String[]::new), offset(at)))
                .replaceWithVoid();
    }

    /** One new member of a split: the events it takes ("source:event_id") and the identifiers that move to it. */
    public record SplitPartRow(String memberId, List<String> eventKeys, List<Identifier> identifiers) {
    }

    /**
     * Carries out a split in one transaction: the parts become members, their events and identifiers
     * move to them, merges caused by their events are marked undone, every pair among the original and
     * the parts may never merge again, and the MemberSplit change is queued for member.merges.
     *
     * @param connection the transaction's (the writer's, fenced)
     */
    public Uni<Void> recordSplit(SqlConnection connection, String splitId, String originalId, String reason,
            List<SplitPartRow> parts, byte[] change, Instant at) {
        return recordSplit(connection, splitId, originalId, reason, parts, change, at, true);
    }

    /**
     * @param neverMerge whether every pair of the parts is recorded as never to merge (a person's split: yes; the
     *                   unglue of a placeholder, which says nothing about whether its guests are one person: no)
     */
    public Uni<Void> recordSplit(SqlConnection connection, String splitId, String originalId, String reason,
            List<SplitPartRow> parts, byte[] change, Instant at, boolean neverMerge) {
        List<String> members = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        List<String> eventIds = new ArrayList<>();
        List<String> eventMembers = new ArrayList<>();
        List<String> eventKeys = new ArrayList<>();
        List<Tuple> moves = new ArrayList<>();
        for (SplitPartRow part : parts) {
            members.add(part.memberId());
            for (String key : part.eventKeys()) {
                int colon = key.indexOf(':');
                sources.add(key.substring(0, colon));
                eventIds.add(key.substring(colon + 1));
                eventMembers.add(part.memberId());
                eventKeys.add(key);
            }
            part.identifiers().forEach(i -> moves.add(Tuple.of(part.memberId(), i.type().code(), i.value(), originalId)));
        }
        List<Tuple> pairs = new ArrayList<>();
        List<String> all = new ArrayList<>(members);
        all.add(0, originalId);
        for (int a = 0; a < all.size(); a++) {
            for (int b = a + 1; b < all.size(); b++) {
                pairs.add(Tuple.of(all.get(a), all.get(b), splitId));
            }
        }
        return connection
                .preparedQuery("INSERT INTO member (id, created_at) SELECT unnest($1::text[]), $2")
                .execute(Tuple.of(members.toArray(String[]::new), offset(at)))
                .flatMap(v -> connection.preparedQuery(
                        "INSERT INTO member_split (id, original_member_id, reason, split_at) VALUES ($1, $2, $3, $4)")
                        .execute(Tuple.of(splitId, originalId, reason, offset(at))))
                .flatMap(v -> connection.preparedQuery("""
                        UPDATE channel_event e SET member_id = k.member_id
                        FROM unnest($1::text[], $2::text[], $3::text[]) AS k(source, event_id, member_id)
                        WHERE e.source = k.source AND e.event_id = k.event_id""")
                        .execute(Tuple.of(sources.toArray(String[]::new), eventIds.toArray(String[]::new),
                                eventMembers.toArray(String[]::new))))
                .flatMap(v -> moves.isEmpty() ? Uni.createFrom().voidItem() : connection.preparedQuery(
                        // Only what the original (or a member merged into it) holds: a phone re-issued to
                        // someone else since the part's events stays with its new holder.
                        "UPDATE member_identifier SET member_id = $1 WHERE type = $2 AND value = $3"
                                + " AND member_current_of(member_id) = $4")
                        .executeBatch(moves).replaceWithVoid())
                .flatMap(v -> moves.isEmpty() ? Uni.createFrom().voidItem() : connection.preparedQuery(
                        // Past holdings follow the identifier they concern: a phone re-issued since, that only
                        // the part's events used, was the part's person's (and later imports widen it there).
                        "UPDATE member_identifier_period SET member_id = $1 WHERE type = $2 AND value = $3"
                                + " AND member_current_of(member_id) = $4")
                        .executeBatch(moves).replaceWithVoid())
                .flatMap(v -> !neverMerge ? Uni.createFrom().voidItem() : connection.preparedQuery(
                        "INSERT INTO member_cannot_link (member_a, member_b, split_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                        .executeBatch(pairs).replaceWithVoid())
                .flatMap(v -> connection.preparedQuery("""
                        UPDATE member_merge SET undone_by = $1 WHERE event_key = ANY($2::text[]) AND undone_by IS NULL""")
                        .execute(Tuple.of(splitId, eventKeys.toArray(String[]::new))))
                .flatMap(v -> queueChanges(connection, List.of(Tuple.of(originalId, Buffer.buffer(change), offset(at)))))
                .replaceWithVoid();
    }

    static Identifier identifier(Row row, int at) {
        return new Identifier(IdentifierType.fromCode(row.getString(at)).orElseThrow(), row.getString(at + 1));
    }

    static OffsetDateTime offset(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
