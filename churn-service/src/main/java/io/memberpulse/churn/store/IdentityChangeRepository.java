package io.memberpulse.churn.store;

import io.memberpulse.churn.domain.ChurnScore;
import io.memberpulse.proto.merges.ArrivingEvent;
import io.memberpulse.proto.merges.IdentityChange;
import io.memberpulse.proto.merges.MemberAliases;
import io.memberpulse.proto.store.ErasedMembers;
import io.memberpulse.proto.store.MemberOwnership;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Moves member facts (order and refund lines, reviews, coupons, visits, intervention outcomes, the member
 * number) on MemberMerged / MemberSplit, in one transaction with the record that the change was applied,
 * and keeps the alias of every absorbed member and the member each split gave its events to, so facts
 * arriving later under an old id follow them. A MemberErased deletes every row kept under the erased ids (the member,
 * the members merged into it, and any alias pointing at them) and remembers those ids (erased_member): a merge or
 * split naming one moves nothing, and facts arriving later for one are dropped (ErasedMembers.among).
 *
 * <p>Where an arriving fact belongs (ownersOf, survivorsOf) is decided as in every service ({@link MemberOwnership}):
 * a change's transaction holds {@link #IDENTITY_LOCK} exclusively and the transaction recording a batch of facts
 * (member.events, intervention.outcomes) holds it shared, from before its look-up until its rows are committed.
 */
@ApplicationScoped
public class IdentityChangeRepository {
    /**
     * The transaction-scoped advisory lock (a number of churn-service's own database): identity changes take it
     * exclusively, so they are applied one at a time across replicas (the consumer group may give A→B and B→C to
     * two of them) and never while facts are being recorded, which take it shared. "churn_id" in ASCII.
     */
    public static final long IDENTITY_LOCK = 0x6368_7572_6e5f_6964L;
    /** Facts kept once per (source, event_id) with their member: what a merge or a split moves. */
    private static final String[] FACT_TABLES = {"purchase_line", "member_activity"};

    private final Pool pool;
    private final MemberOwnership ownership;

    public IdentityChangeRepository(Pool pool) {
        this.pool = pool;
        this.ownership = new MemberOwnership(pool, IDENTITY_LOCK);
    }

    /**
     * @param applied false when the change was applied before (a re-delivery): nothing moved
     * @param members every member whose facts may have changed hands: the members named, where a merge
     *     landed, and who held a split's events; on a re-delivery the members named and where they stand now
     */
    public record Applied(boolean applied, Set<String> members, List<ChurnScore> erasedScores) {
        public Applied(boolean applied, Set<String> members) {
            this(applied, members, List.of());
        }
    }

    /** Applies the change once. */
    public Uni<Applied> apply(IdentityChange change) {
        return pool.withTransaction(connection -> apply(connection, change));
    }

    /**
     * Applies the change once in the caller's transaction (its first statement, READ COMMITTED), which holds the
     * identity lock exclusively from then until it ends.
     */
    public Uni<Applied> apply(SqlConnection transaction, IdentityChange change) {
        if (change instanceof IdentityChange.Erasure erasure) {
            return ownership.lockExclusively(transaction).chain(() -> erase(transaction, erasure));
        }
        return ownership.lockExclusively(transaction)
                .chain(() -> ErasedMembers.among(transaction, change.membersNamed()))
                .chain(erased -> {
                    if (!erased.isEmpty()) {
                        // A merge or split replayed after an erasure it names: nothing moves into or out of the erased
                        // ids, the other members' facts stay where they are, and no key naming the erased ids is kept.
                        Set<String> members = new LinkedHashSet<>(change.membersNamed());
                        members.removeAll(erased);
                        return Uni.createFrom().item(new Applied(false, members));
                    }
                    return transaction.preparedQuery(
                                    "INSERT INTO identity_change_applied (change_key, applied_at) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                            .execute(Tuple.of(change.key(), Instant.now().atOffset(ZoneOffset.UTC)))
                            .chain(marked -> marked.rowCount() == 0
                                    ? whereTheyStand(transaction, change.membersNamed()).map(standing -> new Applied(false, standing))
                                    : move(transaction, change).map(moved -> new Applied(true, moved)));
                });
    }

    /**
     * Deletes every row kept under the erased member, the members the erasure names as merged into it, and any
     * member this service knows as merged into one of them (member_alias), and records them all in erased_member with
     * the erased member (erasure_member_id). The split owners naming them stay (an event key and the id): an event a
     * split gave one of them, arriving later under the original member, is then dropped, not recorded for the original.
     * Answers the ids and the scores deleted, whose Redis entries the caller removes after the commit; delivered again,
     * the ids the first application erased (see erasedBefore).
     */
    private static Uni<Applied> erase(SqlConnection connection, IdentityChange.Erasure erasure) {
        String[] named = erasure.membersNamed().toArray(String[]::new);
        return connection.preparedQuery(
                "SELECT absorbed_member_id FROM member_alias WHERE surviving_member_id = ANY($1) ORDER BY 1")
                .execute(Tuple.of((Object) named))
                .chain(aliases -> {
                    Set<String> erased = new LinkedHashSet<>(erasure.membersNamed());
                    aliases.forEach(row -> erased.add(row.getString(0)));
                    return connection.preparedQuery("""
                                    INSERT INTO erased_member (member_id, erased_at, erasure_member_id)
                                    SELECT id, $2, $3 FROM unnest($1::text[]) AS id
                                    ON CONFLICT DO NOTHING RETURNING member_id""")
                            .execute(Tuple.of(erased.toArray(String[]::new), erasure.at().atOffset(ZoneOffset.UTC),
                                    erasure.memberId()))
                            .chain(inserted -> inserted.rowCount() == 0
                                    // delivered again: nothing left to delete; the caller still clears Redis of the ids
                                    ? erasedBefore(connection, erasure).map(ids -> new Applied(false, ids))
                                    : deleteErased(connection, erased));
                });
    }

    /**
     * The ids an erasure delivered again erased the first time: those it names and those erased with its member
     * (erasure_member_id), which include the members found merged into it then, whose aliases are gone since. A crash
     * may have come between that commit and the Redis deletion, which the caller runs again for all of them.
     */
    private static Uni<Set<String>> erasedBefore(SqlConnection connection, IdentityChange.Erasure erasure) {
        return connection.preparedQuery("SELECT member_id FROM erased_member WHERE erasure_member_id = $1 ORDER BY 1")
                .execute(Tuple.of(erasure.memberId()))
                .map(rows -> {
                    Set<String> erased = new LinkedHashSet<>(erasure.membersNamed());
                    rows.forEach(row -> erased.add(row.getString(0)));
                    return erased;
                });
    }

    /**
     * Deletes every row kept under the erased ids, and the keys of the merges and splits applied before that name them
     * (IdentityChange.key): a merge or split naming an erased id moves nothing, so a replay needs no key to be
     * recognised, and the erasure's own idempotence is erased_member's.
     */
    private static Uni<Applied> deleteErased(SqlConnection connection, Set<String> erased) {
        Tuple ids = Tuple.of((Object) erased.toArray(String[]::new));
        Uni<Void> deletes = update(connection, ErasedMembers.FORGET_CHANGES_NAMING, ids);
        for (String table : new String[] {"purchase_line", "member_activity", "member_number"}) {
            deletes = deletes.chain(() -> update(connection,
                    "DELETE FROM " + table + " WHERE member_id = ANY($1)", ids));
        }
        return deletes
                .chain(() -> update(connection, """
                        DELETE FROM member_alias WHERE absorbed_member_id = ANY($1) OR surviving_member_id = ANY($1)""",
                        ids))
                .chain(() -> withoutErasedScoresCsv(connection, erased))
                .chain(() -> connection.preparedQuery("DELETE FROM churn_score WHERE member_id = ANY($1) RETURNING *")
                        .execute(ids))
                .map(scores -> new Applied(true, erased, ScoreRepository.toScores(scores)));
    }

    /**
     * Takes the erased members' rows out of the batch scores kept with their jobs (churn_job.scores_csv_gz, 7 days).
     * A batch finishing meanwhile stores its scores holding the identity lock shared, leaving out the members erased
     * by then (JobRepository.succeeded): it either waits for this transaction or is rewritten here.
     */
    private static Uni<Void> withoutErasedScoresCsv(SqlConnection connection, Set<String> erased) {
        return connection.query("SELECT id, scores_csv_gz FROM churn_job WHERE scores_csv_gz IS NOT NULL ORDER BY id FOR UPDATE")
                .execute()
                .chain(jobs -> {
                    Uni<Void> rewrites = Uni.createFrom().voidItem();
                    for (Row job : jobs) {
                        byte[] stored = job.getBuffer("scores_csv_gz").getBytes();
                        byte[] kept = ErasedFromScoresCsv.without(stored, erased);
                        if (kept != stored) {
                            rewrites = rewrites.chain(() -> update(connection,
                                    "UPDATE churn_job SET scores_csv_gz = $2 WHERE id = $1",
                                    Tuple.of(job.getUUID("id"), io.vertx.core.buffer.Buffer.buffer(kept))));
                        }
                    }
                    return rewrites;
                });
    }

    /**
     * The members and the final survivors of those absorbed: a merge delivered again after a crash that came between
     * its move and the re-scoring may have moved facts on to a later survivor (A→B applied after B→C: A's facts are
     * C's), which is re-scored too.
     */
    private Uni<Set<String>> whereTheyStand(SqlConnection transaction, Set<String> members) {
        return survivorsOf(transaction, members).map(survivors -> {
            Set<String> standing = new LinkedHashSet<>(members);
            standing.addAll(survivors.values());
            return standing;
        });
    }

    /** Runs the recording of arriving facts (ownersOf or survivorsOf, then the inserts) holding the identity lock shared. */
    public <T> Uni<T> inRecordingTransaction(Function<SqlConnection, Uni<T>> recording) {
        return ownership.inRecordingTransaction(recording);
    }

    /**
     * Runs blocking work that reads members' facts and then stores, caches and publishes what follows from them
     * (a scoring pass) while holding the identity lock shared, in a transaction of its own that does nothing else. A
     * change waits until the work is done: a score made from an absorbed member's facts read just before a merge
     * moved them cannot be written after the merge took that member's score away, where nothing would remove it.
     * Blocking: call from a worker thread.
     */
    public <T> T whileIdentitiesStay(Supplier<T> work) {
        SqlConnection connection = pool.getConnection().await().indefinitely();
        try {
            Transaction transaction = connection.begin().await().indefinitely();
            ownership.lockShared(connection).await().indefinitely();
            T result = work.get();
            transaction.commit().await().indefinitely();
            return result;
        } finally {
            connection.close().await().indefinitely(); // an open transaction is rolled back, releasing the lock
        }
    }

    private static Uni<Set<String>> move(SqlConnection connection, IdentityChange change) {
        if (change instanceof IdentityChange.Merge merge) {
            return merge(connection, merge);
        }
        if (change instanceof IdentityChange.Split split) {
            return split(connection, split);
        }
        throw new IllegalArgumentException("an erasure moves nothing: see erase");
    }

    private static Uni<Set<String>> merge(SqlConnection connection, IdentityChange.Merge merge) {
        return connection.preparedQuery("""
                SELECT absorbed_member_id, surviving_member_id, merged_at FROM member_alias WHERE absorbed_member_id = $1""")
                .execute(Tuple.of(merge.survivingMemberId()))
                .map(rows -> {
                    var found = rows.iterator();
                    return found.hasNext() ? Optional.of(toAlias(found.next())) : Optional.<MemberAliases.Alias>empty();
                })
                .chain(survivorsAlias -> {
                    MemberAliases.Landing landing = MemberAliases.landing(merge, survivorsAlias);
                    Set<String> members = merge.membersNamed();
                    members.add(landing.survivor());
                    if (landing.movesNothing(merge)) {
                        return Uni.createFrom().item(members);
                    }
                    String absorbed = merge.absorbedMemberId();
                    Tuple ids = Tuple.of(landing.survivor(), absorbed);
                    Uni<Void> moves = landing.dropSurvivorsAlias()
                            ? update(connection, "DELETE FROM member_alias WHERE absorbed_member_id = $1",
                                    Tuple.of(merge.survivingMemberId()))
                            : Uni.createFrom().voidItem();
                    moves = moves
                            .chain(() -> update(connection, """
                                    INSERT INTO member_alias (absorbed_member_id, surviving_member_id, merged_at)
                                    VALUES ($2, $1, $3) ON CONFLICT (absorbed_member_id) DO UPDATE
                                    SET surviving_member_id = EXCLUDED.surviving_member_id, merged_at = EXCLUDED.merged_at""",
                                    Tuple.of(landing.survivor(), absorbed, merge.at().atOffset(ZoneOffset.UTC))))
                            // Members absorbed earlier by the absorbed one now point at the survivor too.
                            .chain(() -> update(connection,
                                    "UPDATE member_alias SET surviving_member_id = $1 WHERE surviving_member_id = $2", ids))
                            .chain(() -> connection.query("DELETE FROM member_alias WHERE absorbed_member_id = surviving_member_id")
                                    .execute().replaceWithVoid());
                    for (String table : FACT_TABLES) {
                        moves = moves.chain(() -> update(connection,
                                "UPDATE " + table + " SET member_id = $1 WHERE member_id = $2", ids));
                    }
                    // The survivor keeps its own member number; it takes the absorbed one's when it has none.
                    return moves
                            .chain(() -> update(connection, """
                                    INSERT INTO member_number (member_id, member_no)
                                    SELECT $1, member_no FROM member_number WHERE member_id = $2 ON CONFLICT DO NOTHING""", ids))
                            .chain(() -> update(connection, "DELETE FROM member_number WHERE member_id = $1",
                                    Tuple.of(absorbed)))
                            .replaceWith(members);
                });
    }

    private static Uni<Set<String>> split(SqlConnection connection, IdentityChange.Split split) {
        Set<String> members = split.membersNamed();
        Uni<Void> moves = Uni.createFrom().voidItem();
        for (IdentityChange.Part part : split.parts()) {
            String[] sources = part.eventKeys().stream().map(IdentityChange.EventKey::source).toArray(String[]::new);
            String[] eventIds = part.eventKeys().stream().map(IdentityChange.EventKey::eventId).toArray(String[]::new);
            Tuple keys = Tuple.of(sources, eventIds);
            // A part that is a member absorbed earlier is its own member again: its new events stay with it.
            moves = moves.chain(() -> update(connection, "DELETE FROM member_alias WHERE absorbed_member_id = $1",
                    Tuple.of(part.memberId())));
            if (eventIds.length == 0) {
                continue;
            }
            // Whoever holds the events now (the original, or where a merge that arrived first took them).
            moves = moves.chain(() -> connection.preparedQuery("""
                    SELECT DISTINCT member_id FROM purchase_line WHERE (source, event_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
                    UNION SELECT DISTINCT member_id FROM member_activity WHERE (source, event_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))""")
                    .execute(keys)
                    .invoke(rows -> rows.forEach(row -> members.add(row.getString(0))))
                    .replaceWithVoid());
            for (String table : FACT_TABLES) {
                moves = moves.chain(() -> update(connection, "UPDATE " + table
                        + " SET member_id = $1 WHERE (source, event_id) IN (SELECT * FROM unnest($2::text[], $3::text[]))",
                        Tuple.of(part.memberId(), sources, eventIds)));
            }
            // The events not consumed yet arrive under the original member: ownersOf sends them here.
            moves = moves.chain(() -> update(connection, """
                    INSERT INTO split_event_owner (source, event_id, member_id)
                    SELECT source, event_id, $1 FROM unnest($2::text[], $3::text[]) AS k (source, event_id)
                    ON CONFLICT (source, event_id) DO UPDATE SET member_id = EXCLUDED.member_id""",
                    Tuple.of(part.memberId(), sources, eventIds)));
        }
        return moves.replaceWith(members);
    }

    private static Uni<Void> update(SqlConnection connection, String sql, Tuple arguments) {
        return connection.preparedQuery(sql).execute(arguments).replaceWithVoid();
    }

    private static MemberAliases.Alias toAlias(Row row) {
        return new MemberAliases.Alias(row.getString(0), row.getString(1), row.getOffsetDateTime(2).toInstant());
    }

    /** Where arriving events belong when not with the member they came under (MemberOwnership.ownersOf). */
    public Uni<Map<ArrivingEvent, String>> ownersOf(SqlConnection recording, Collection<ArrivingEvent> events) {
        return MemberOwnership.ownersOf(recording, events);
    }

    /**
     * The final survivor of each given id that was absorbed by a merge (ids not absorbed are absent), in the recording
     * transaction (see inRecordingTransaction).
     */
    public Uni<Map<String, String>> survivorsOf(SqlConnection recording, Collection<String> memberIds) {
        return MemberOwnership.survivorsOf(recording, memberIds);
    }
}
