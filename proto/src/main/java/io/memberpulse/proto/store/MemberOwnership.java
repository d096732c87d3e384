package io.memberpulse.proto.store;

import io.memberpulse.proto.merges.ArrivingEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Where facts arriving under a member id belong after identity changes, as every consuming service keeps it in its
 * own database: member_alias (absorbed_member_id → its final survivor) and split_event_owner ((source, event_id) →
 * the member a MemberSplit gave the event to). One place, so rfm-, churn- and campaign-service decide it alike.
 *
 * <p>Such an answer is true only until the next identity change commits, and member.merges and the streams of facts
 * may be consumed on different replicas. So applying a change holds the service's identity-change lock (a
 * transaction-scoped advisory lock) exclusively, and recording a batch holds it shared from before its look-up until
 * its rows are committed ({@link #inRecordingTransaction}): a change waits for the batches being recorded (and moves
 * their rows), a batch waits for the change being applied (and sees it). Batches still record in parallel.
 */
public final class MemberOwnership {
    private final Pool pool;
    private final long lockKey;

    /** @param lockKey the identity-change lock's id within the service's database (each service names its own) */
    public MemberOwnership(Pool pool, long lockKey) {
        this.pool = pool;
        this.lockKey = lockKey;
    }

    /** Takes the identity-change lock exclusively for the rest of the transaction, in a statement of its own. */
    public Uni<Void> lockExclusively(SqlConnection transaction) {
        return transaction.query(lockStatement("pg_advisory_xact_lock")).execute().replaceWithVoid();
    }

    /** Takes the identity-change lock shared for the rest of the transaction, in a statement of its own. */
    public Uni<Void> lockShared(SqlConnection transaction) {
        return transaction.query(sharedLockStatement()).execute().replaceWithVoid();
    }

    /** The one statement taking the lock shared, for a transaction of another client (a Panache session). */
    public String sharedLockStatement() {
        return lockStatement("pg_advisory_xact_lock_shared");
    }

    private String lockStatement(String function) {
        // The lock functions return void, which the clients cannot decode: count the one row instead.
        return "SELECT count(*) FROM (SELECT " + function + "(" + lockKey + ")) locked";
    }

    /**
     * Runs the recording of arriving facts (ownersOf or survivorsOf, then the inserts, on the connection given) in one
     * transaction that holds the identity-change lock shared. The lock is taken by a statement of its own before the
     * look-up: a READ COMMITTED statement reads the data as of its start, so a look-up in the statement that waited
     * for a change would not see it.
     */
    public <T> Uni<T> inRecordingTransaction(Function<SqlConnection, Uni<T>> recording) {
        return pool.withTransaction(connection -> lockShared(connection).chain(() -> recording.apply(connection)));
    }

    /**
     * Where arriving events belong when not with the member they came under: the member a split gave the event
     * to, else the member it came under, and either way that member's final survivor when a merge absorbed it (an
     * alias always names the final survivor). Events that stay are absent. One query for the whole batch; in the
     * recording transaction for an answer that holds until it commits.
     */
    public static Uni<Map<ArrivingEvent, String>> ownersOf(SqlClient client, Collection<ArrivingEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return client.preparedQuery("""
                SELECT e.source, e.event_id, e.member_id, COALESCE(a.surviving_member_id, s.member_id, e.member_id)
                FROM unnest($1::text[], $2::text[], $3::text[]) AS e (source, event_id, member_id)
                LEFT JOIN split_event_owner s ON s.source = e.source AND s.event_id = e.event_id
                LEFT JOIN member_alias a ON a.absorbed_member_id = COALESCE(s.member_id, e.member_id)
                WHERE COALESCE(a.surviving_member_id, s.member_id, e.member_id) <> e.member_id""")
                .execute(Tuple.of(events.stream().map(ArrivingEvent::source).toArray(String[]::new),
                        events.stream().map(ArrivingEvent::eventId).toArray(String[]::new),
                        events.stream().map(ArrivingEvent::memberId).toArray(String[]::new)))
                .map(rows -> {
                    Map<ArrivingEvent, String> owners = new HashMap<>();
                    rows.forEach(row -> owners.put(new ArrivingEvent(row.getString(0), row.getString(1), row.getString(2)),
                            row.getString(3)));
                    return owners;
                });
    }

    /**
     * The final survivor of each given id that was absorbed by a merge (ids not absorbed are absent); read with the
     * recording transaction's connection for an answer that holds until it commits.
     */
    public static Uni<Map<String, String>> survivorsOf(SqlClient client, Collection<String> memberIds) {
        if (memberIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return client.preparedQuery("SELECT absorbed_member_id, surviving_member_id FROM member_alias WHERE absorbed_member_id = ANY($1)")
                .execute(Tuple.of(memberIds.stream().distinct().toArray(String[]::new)))
                .map(rows -> {
                    Map<String, String> survivors = new HashMap<>();
                    rows.forEach(row -> survivors.put(row.getString(0), row.getString(1)));
                    return survivors;
                });
    }
}
