package io.memberpulse.identity.store;

import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Member erasure (V22): the record of each erasure, the member a given id stands for with every id merged into it, and
 * the one transaction that takes the person's identifying data out of every table of the identity schema.
 */
@ApplicationScoped
public class ErasureRepository {
    private final Pool pool;

    public ErasureRepository(Pool pool) {
        this.pool = pool;
    }

    /** What identity-service keeps of an erasure (member_erasure). */
    public record ErasureRow(String id, String memberId, List<String> absorbedMemberIds, String reference,
            String requestedBy, Instant erasedAt) {
    }

    /** A stored event's new payload, scrubbed. */
    public record ScrubbedEvent(String source, String eventId, byte[] payload) {
    }

    private static final String COLUMNS = "id, member_id, absorbed_member_ids, reference, requested_by, erased_at";

    /** The erasure of the member with this id or of the member it was merged into, if any. */
    public Uni<ErasureRow> erasureOfMember(String memberId) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM member_erasure WHERE member_id = $1 "
                        + "OR absorbed_member_ids @> ARRAY[$1::text] LIMIT 1")
                .execute(Tuple.of(memberId)).map(ErasureRepository::first);
    }

    public Uni<ErasureRow> erasure(String erasureId) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM member_erasure WHERE id = $1")
                .execute(Tuple.of(erasureId)).map(ErasureRepository::first);
    }

    /**
     * The member an id stands for (following merged_into, erased or not) and every member merged into it, itself
     * first; empty when the id is unknown.
     */
    public Uni<List<String>> cluster(String memberId) {
        return pool.preparedQuery("""
                WITH RECURSIVE part(id) AS (
                  SELECT member_current_of($1) WHERE member_current_of($1) IS NOT NULL
                  UNION SELECT m.id FROM member m JOIN part ON m.merged_into = part.id)
                SELECT id, id = member_current_of($1) FROM part ORDER BY 2 DESC, 1""")
                .execute(Tuple.of(memberId))
                .map(rows -> {
                    List<String> ids = new ArrayList<>();
                    rows.forEach(row -> ids.add(row.getString(0)));
                    return ids;
                });
    }

    /**
     * Erases in the caller's transaction: the values the members hold or held go from every table keyed by value
     * (where no other member holds them: a phone re-issued to somebody else stays theirs), the members' identifier
     * rows and past holdings go, their events keep only their scrubbed payloads, merge evidence keeps the identifier
     * types without values, splits of them keep no reason, their member.merges outbox rows go (published or not: the
     * split reasons in them are free text), the members are marked erased, the erasure is recorded and MemberErased
     * is queued for member.merges under the member's key, as merges and splits are.
     *
     * @param members the member first, then every member merged into it
     */
    public Uni<Void> erase(SqlConnection connection, ErasureRow erasure, List<String> members,
            List<ScrubbedEvent> events, byte[] change) {
        String[] ids = members.toArray(String[]::new);
        OffsetDateTime at = erasure.erasedAt().atOffset(ZoneOffset.UTC);
        String values = """
                (SELECT type, value FROM member_identifier WHERE member_id = ANY($1::text[])
                 UNION SELECT type, value FROM member_identifier_period WHERE member_id = ANY($1::text[])) v""";
        String heldByNobodyElse = """
                NOT EXISTS (SELECT 1 FROM member_identifier o
                            WHERE o.type = v.type AND o.value = v.value AND NOT o.member_id = ANY($1::text[]))""";
        List<Tuple> payloads = new ArrayList<>(events.size());
        events.forEach(e -> payloads.add(Tuple.of(Buffer.buffer(e.payload()), e.source(), e.eventId())));
        return connection.preparedQuery("DELETE FROM identifier_store s USING " + values
                        + " WHERE s.type = v.type AND s.value = v.value AND " + heldByNobodyElse)
                .execute(Tuple.of((Object) ids))
                .flatMap(v -> connection.preparedQuery("DELETE FROM quarantined_identifier q USING " + values
                        + " WHERE q.type = v.type AND q.value = v.value AND " + heldByNobodyElse)
                        .execute(Tuple.of((Object) ids)))
                .flatMap(v -> connection.preparedQuery("DELETE FROM member_identifier_period WHERE member_id = ANY($1::text[])")
                        .execute(Tuple.of((Object) ids)))
                .flatMap(v -> connection.preparedQuery("DELETE FROM member_identifier WHERE member_id = ANY($1::text[])")
                        .execute(Tuple.of((Object) ids)))
                .flatMap(v -> payloads.isEmpty() ? Uni.createFrom().voidItem() : connection.preparedQuery(
                        "UPDATE channel_event SET payload = $1, device_id = NULL WHERE source = $2 AND event_id = $3")
                        .executeBatch(payloads).replaceWithVoid())
                // an entry "type:value" keeps its type; order and event keys name nobody and stay
                .flatMap(v -> connection.preparedQuery("""
                        UPDATE member_merge SET identifiers = ARRAY(
                          SELECT CASE WHEN split_part(x, ':', 1) IN ('order', 'event') THEN x
                                      ELSE split_part(x, ':', 1) || ':(erased)' END
                          FROM unnest(identifiers) WITH ORDINALITY AS u(x, n) ORDER BY n)
                        WHERE surviving_member_id = ANY($1::text[]) OR absorbed_member_id = ANY($1::text[])""")
                        .execute(Tuple.of((Object) ids)))
                .flatMap(v -> connection.preparedQuery(
                        "UPDATE member_split SET reason = '(erased)' WHERE original_member_id = ANY($1::text[])")
                        .execute(Tuple.of((Object) ids)))
                .flatMap(v -> connection.preparedQuery("DELETE FROM identity_change WHERE member_key = ANY($1::text[])")
                        .execute(Tuple.of((Object) ids)))
                .flatMap(v -> connection.preparedQuery("UPDATE member SET erased_at = $2 WHERE id = ANY($1::text[])")
                        .execute(Tuple.of(ids, at)))
                .flatMap(v -> connection.preparedQuery("INSERT INTO member_erasure (" + COLUMNS
                                + ") VALUES ($1, $2, $3, $4, $5, $6)")
                        .execute(Tuple.from(Arrays.asList(erasure.id(), erasure.memberId(),
                                erasure.absorbedMemberIds().toArray(String[]::new), erasure.reference(),
                                erasure.requestedBy(), at))))
                .flatMap(v -> connection.preparedQuery(
                                "INSERT INTO identity_change (member_key, payload, created_at) VALUES ($1, $2, $3)")
                        .execute(Tuple.of(erasure.memberId(), Buffer.buffer(change), at)))
                .replaceWithVoid();
    }

    private static ErasureRow first(RowSet<Row> rows) {
        if (rows.size() == 0) {
            return null;
        }
        Row row = rows.iterator().next();
        return new ErasureRow(row.getString(0), row.getString(1), Arrays.asList(row.getArrayOfStrings(2)),
                row.getString(3), row.getString(4), row.getOffsetDateTime(5).toInstant());
    }
}
