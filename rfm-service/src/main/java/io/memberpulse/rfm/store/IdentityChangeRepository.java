package io.memberpulse.rfm.store;

import io.memberpulse.proto.merges.ArrivingEvent;
import io.memberpulse.proto.merges.IdentityChange;
import io.memberpulse.proto.store.MemberOwnership;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.Map;
import java.util.function.Function;

/**
 * Moves facts between members on MemberMerged / MemberSplit, in one transaction with the record that
 * the change was applied, and remembers absorbed members and the events each split gave away, so events
 * arriving later under an old id follow them.
 *
 * <p>Where an arriving event belongs (ownersOf) is decided as in every service ({@link MemberOwnership}): a change's
 * transaction holds {@link #IDENTITY_LOCK} exclusively and the transaction recording a member.events batch holds it
 * shared, from before its look-up until its rows are committed.
 */
@ApplicationScoped
public class IdentityChangeRepository {
    /**
     * The transaction-scoped advisory lock (a number of rfm-service's own database) that orders identity changes
     * (exclusive, one at a time across replicas) against the recording of arriving events (shared). "rfm:iden" in ASCII.
     */
    public static final long IDENTITY_LOCK = 0x72666d3a6964656eL;
    private static final String[] FACT_TABLES = {"purchase_line", "member_activity"};

    private final Pool pool;
    private final MemberOwnership ownership;

    public IdentityChangeRepository(Pool pool) {
        this.pool = pool;
        this.ownership = new MemberOwnership(pool, IDENTITY_LOCK);
    }

    /** Applies the change once: false (and nothing moved) when it was applied before. */
    public Uni<Boolean> apply(IdentityChange change) {
        return pool.withTransaction(connection -> apply(connection, change));
    }

    /**
     * Applies the change once in the caller's transaction (its first statement, READ COMMITTED), which holds the
     * identity lock exclusively from then until it ends.
     */
    public Uni<Boolean> apply(SqlConnection transaction, IdentityChange change) {
        return ownership.lockExclusively(transaction)
                .chain(() -> transaction.preparedQuery(
                        "INSERT INTO identity_change_applied (change_key, applied_at) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                        .execute(Tuple.of(change.key(), Instant.now().atOffset(ZoneOffset.UTC))))
                .chain(marked -> marked.rowCount() == 0
                        ? Uni.createFrom().item(false)
                        : move(transaction, change).replaceWith(true));
    }

    /** Runs the recording of arriving events (ownersOf, then the inserts) holding the identity lock shared. */
    public <T> Uni<T> inRecordingTransaction(Function<SqlConnection, Uni<T>> recording) {
        return ownership.inRecordingTransaction(recording);
    }

    private static Uni<Void> move(SqlConnection connection, IdentityChange change) {
        if (change instanceof IdentityChange.Merge merge) {
            return merge(connection, merge);
        }
        return split(connection, (IdentityChange.Split) change);
    }

    /*
     * member.merges is keyed by the absorbed member, so the merges of a chain (A into B, B into C) come
     * on different partitions and may arrive in either order. The absorbed member therefore goes to the
     * survivor's own final survivor (C even when B into C came first), and the survivor's alias stays:
     * identity never un-absorbs a member through a merge (a split makes new members). So every alias
     * points at a member that was never absorbed, and one look-up (survivorsOf) is enough.
     */
    private static Uni<Void> merge(SqlConnection connection, IdentityChange.Merge merge) {
        return finalSurvivorOf(connection, merge.survivingMemberId(), merge.absorbedMemberId())
                .chain(finalSurvivor -> moveTo(connection, finalSurvivor, merge.absorbedMemberId()));
    }

    /**
     * Follows the survivor's aliases to the member it now stands for. The walk stops short of the
     * absorbed member and is bounded, so inconsistent aliases (a cycle) cannot loop.
     */
    private static Uni<String> finalSurvivorOf(SqlConnection connection, String survivingMemberId, String absorbedMemberId) {
        return connection.preparedQuery("""
                WITH RECURSIVE chain (member_id, depth) AS (
                    SELECT $1::text, 0
                    UNION ALL
                    SELECT a.surviving_member_id, c.depth + 1 FROM chain c
                    JOIN member_alias a ON a.absorbed_member_id = c.member_id
                    WHERE a.surviving_member_id <> $2 AND c.depth < 64)
                SELECT member_id FROM chain ORDER BY depth DESC LIMIT 1""")
                .execute(Tuple.of(survivingMemberId, absorbedMemberId))
                .map(rows -> rows.iterator().next().getString(0));
    }

    private static Uni<Void> moveTo(SqlConnection connection, String finalSurvivor, String absorbedMemberId) {
        Tuple ids = Tuple.of(finalSurvivor, absorbedMemberId);
        Uni<Void> moves = connection.preparedQuery("""
                INSERT INTO member_alias (absorbed_member_id, surviving_member_id) VALUES ($2, $1)
                ON CONFLICT (absorbed_member_id) DO UPDATE SET surviving_member_id = EXCLUDED.surviving_member_id""")
                .execute(ids).replaceWithVoid()
                // Members absorbed earlier by the absorbed one now point at the final survivor too.
                .chain(() -> connection.preparedQuery("UPDATE member_alias SET surviving_member_id = $1 WHERE surviving_member_id = $2")
                        .execute(ids).replaceWithVoid())
                // Only when the aliases held a cycle (which identity does not produce): nobody is their own alias.
                .chain(() -> connection.preparedQuery("DELETE FROM member_alias WHERE absorbed_member_id = $1 AND surviving_member_id = $1")
                        .execute(Tuple.of(finalSurvivor)).replaceWithVoid());
        for (String table : FACT_TABLES) {
            moves = moves.chain(() -> connection.preparedQuery("UPDATE " + table + " SET member_id = $1 WHERE member_id = $2")
                    .execute(ids).replaceWithVoid());
        }
        return moves.chain(() -> connection.preparedQuery("DELETE FROM member_churn_risk WHERE member_id = $1")
                .execute(Tuple.of(absorbedMemberId)).replaceWithVoid());
    }

    private static Uni<Void> split(SqlConnection connection, IdentityChange.Split split) {
        Uni<Void> moves = Uni.createFrom().voidItem();
        for (IdentityChange.Part part : split.parts()) {
            String[] sources = part.eventKeys().stream().map(IdentityChange.EventKey::source).toArray(String[]::new);
            String[] eventIds = part.eventKeys().stream().map(IdentityChange.EventKey::eventId).toArray(String[]::new);
            // A part that is a member absorbed earlier is its own member again.
            moves = moves.chain(() -> connection.preparedQuery("DELETE FROM member_alias WHERE absorbed_member_id = $1")
                    .execute(Tuple.of(part.memberId())).replaceWithVoid());
            for (String table : FACT_TABLES) {
                moves = moves.chain(() -> connection.preparedQuery("UPDATE " + table
                        + " SET member_id = $1 WHERE (source, event_id) IN (SELECT * FROM unnest($2::text[], $3::text[]))")
                        .execute(Tuple.of(part.memberId(), sources, eventIds)).replaceWithVoid());
            }
            // The events not consumed yet arrive under the original member: ownersOf sends them here.
            moves = moves.chain(() -> connection.preparedQuery("""
                    INSERT INTO split_event_owner (source, event_id, member_id)
                    SELECT source, event_id, $1 FROM unnest($2::text[], $3::text[]) AS k (source, event_id)
                    ON CONFLICT (source, event_id) DO UPDATE SET member_id = EXCLUDED.member_id""")
                    .execute(Tuple.of(part.memberId(), sources, eventIds)).replaceWithVoid());
        }
        return moves;
    }

    /** Where arriving events belong when not with the member they came under (MemberOwnership.ownersOf). */
    public Uni<Map<ArrivingEvent, String>> ownersOf(SqlConnection recording, Collection<ArrivingEvent> events) {
        return MemberOwnership.ownersOf(recording, events);
    }

    /** The surviving member of each given id that was absorbed by a merge. */
    public Uni<Map<String, String>> survivorsOf(Collection<String> memberIds) {
        return MemberOwnership.survivorsOf(pool, memberIds);
    }
}
