package io.memberpulse.rfm.store;

import io.memberpulse.proto.merges.ArrivingEvent;
import io.memberpulse.proto.merges.IdentityChange;
import io.memberpulse.proto.store.ErasedMembers;
import io.memberpulse.proto.store.MemberOwnership;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Moves facts between members on MemberMerged / MemberSplit, in one transaction with the record that
 * the change was applied, and remembers absorbed members and the events each split gave away, so events
 * arriving later under an old id follow them. On MemberErased deletes every row kept under the erased members and
 * remembers their ids (erased_member), so facts arriving later under them are dropped.
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
     * identity lock exclusively from then until it ends. A merge naming an erased member moves nothing (false); a split
     * moves nothing into an erased part (nor records itself as applied when its original member is erased: its key
     * names them).
     */
    public Uni<Boolean> apply(SqlConnection transaction, IdentityChange change) {
        if (change instanceof IdentityChange.Erasure erasure) {
            return erase(transaction, erasure).map(erased -> !erased.isEmpty());
        }
        return ownership.lockExclusively(transaction)
                .chain(() -> ErasedMembers.among(transaction, change.membersNamed()))
                .chain(erased -> {
                    if (change instanceof IdentityChange.Merge && !erased.isEmpty()) {
                        return Uni.createFrom().item(false);
                    }
                    if (change instanceof IdentityChange.Split split && erased.contains(split.originalMemberId())) {
                        return split(transaction, split, erased).replaceWith(false);
                    }
                    return transaction.preparedQuery(
                                    "INSERT INTO identity_change_applied (change_key, applied_at) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                            .execute(Tuple.of(change.key(), Instant.now().atOffset(ZoneOffset.UTC)))
                            .chain(marked -> marked.rowCount() == 0
                                    ? Uni.createFrom().item(false)
                                    : move(transaction, change, erased).replaceWith(true));
                });
    }

    /**
     * Erases the members an erasure names, and those merged into them that only this service's aliases know, in one
     * transaction holding the identity lock: see {@link #erase(SqlConnection, IdentityChange.Erasure)}. Returns the
     * ids erased now (empty when the erasure was applied before).
     */
    public Uni<Set<String>> erase(IdentityChange.Erasure erasure) {
        return pool.withTransaction(connection -> erase(connection, erasure));
    }

    /**
     * Records the ids in erased_member (the erasure's idempotence: a redelivery records none and deletes nothing) and
     * deletes every row kept under them: purchase lines, other facts (reviews, profile hints), RFM rows, churn scores,
     * aliases, queued segment changes (nothing more is published about them), catch-up removals and the applied-change
     * keys that name them. A retracted line's key stays (it names no one) without its holder. Where a split gave an
     * event to an erased member, that stays: the event arriving later is theirs, and is dropped. The members are
     * recorded as missed by Redis in the same transaction, so their keys are deleted by the next repair even when the
     * deletion after the commit fails or never runs.
     */
    public Uni<Set<String>> erase(SqlConnection transaction, IdentityChange.Erasure erasure) {
        String[] named = erasure.membersNamed().toArray(String[]::new);
        return ownership.lockExclusively(transaction)
                .chain(() -> transaction.preparedQuery("""
                        INSERT INTO erased_member (member_id, erased_at)
                        SELECT id, now() FROM (SELECT unnest($1::text[]) AS id
                            UNION SELECT absorbed_member_id FROM member_alias WHERE surviving_member_id = ANY($1)) ids
                        ON CONFLICT (member_id) DO NOTHING RETURNING member_id""").execute(Tuple.of((Object) named)))
                .chain(inserted -> {
                    Set<String> erased = new LinkedHashSet<>();
                    inserted.forEach(row -> erased.add(row.getString(0)));
                    if (erased.isEmpty()) {
                        return Uni.createFrom().item(erased);
                    }
                    Tuple ids = Tuple.of((Object) erased.toArray(String[]::new));
                    Uni<Void> deletes = Uni.createFrom().voidItem();
                    for (String statement : ERASING) {
                        deletes = deletes.chain(() -> transaction.preparedQuery(statement).execute(ids).replaceWithVoid());
                    }
                    return deletes.replaceWith(erased);
                });
    }

    /** Every row kept under the erased ids ($1), table by table (see erase). */
    private static final String[] ERASING = {
            "DELETE FROM purchase_line WHERE member_id = ANY($1)",
            "DELETE FROM member_activity WHERE member_id = ANY($1)",
            "DELETE FROM member_rfm WHERE member_id = ANY($1)",
            "DELETE FROM member_churn_risk WHERE member_id = ANY($1)",
            "DELETE FROM member_alias WHERE absorbed_member_id = ANY($1) OR surviving_member_id = ANY($1)",
            "DELETE FROM segment_change_outbox WHERE member_id = ANY($1)",
            "DELETE FROM member_rfm_removed WHERE member_id = ANY($1)",
            "UPDATE purchase_line_retracted SET member_id = NULL WHERE member_id = ANY($1)",
            ErasedMembers.FORGET_CHANGES_NAMING,
            """
            INSERT INTO redis_missed_rfm (member_id, seq) SELECT unnest($1::text[]), nextval('redis_missed_rfm_seq')
            ON CONFLICT (member_id) DO UPDATE SET seq = EXCLUDED.seq"""};

    /** The given members that were erased. */
    public Uni<Set<String>> erasedAmong(Collection<String> memberIds) {
        return ErasedMembers.among(pool, memberIds);
    }

    /** Runs the recording of arriving events (ownersOf, then the inserts) holding the identity lock shared. */
    public <T> Uni<T> inRecordingTransaction(Function<SqlConnection, Uni<T>> recording) {
        return ownership.inRecordingTransaction(recording);
    }

    /** A merge or split whose named members are not erased but for the split's parts in {@code erased}. */
    private static Uni<Void> move(SqlConnection connection, IdentityChange change, Set<String> erased) {
        if (change instanceof IdentityChange.Merge merge) {
            return merge(connection, merge);
        }
        if (change instanceof IdentityChange.Split split) {
            return split(connection, split, erased);
        }
        throw new IllegalArgumentException("an erasure moves nothing: see erase");
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

    /** Moves each part's events to it, but for the parts erased: nothing moves into an erased member. */
    private static Uni<Void> split(SqlConnection connection, IdentityChange.Split split, Set<String> erased) {
        Uni<Void> moves = Uni.createFrom().voidItem();
        for (IdentityChange.Part part : split.parts()) {
            if (erased.contains(part.memberId())) {
                continue;
            }
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
