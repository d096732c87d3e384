package io.memberpulse.proto.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The members whose cached value Redis missed while it could not be reached, kept in PostgreSQL so that every replica
 * can repair Redis once it answers again (churn's scores, rfm's rows). The table holds (member_id primary key, seq
 * from the sequence {@code <table>_seq}); a member missed again keeps one row with the newer seq.
 */
public class MissedRedisWrites {
    private final Pool pool;
    private final String table;

    /** @param table the service's table, a constant of its own (it is written into the SQL) */
    protected MissedRedisWrites(Pool pool, String table) {
        this.pool = pool;
        this.table = table;
    }

    /** Misses read for a repair: the members, and the seq of each miss (a member missed again since keeps its row). */
    public record Missed(List<String> memberIds, List<Long> seqs) {
        public boolean isEmpty() {
            return memberIds.isEmpty();
        }
    }

    public Uni<Void> record(Collection<String> memberIds) {
        return pool.preparedQuery("""
                INSERT INTO %1$s (member_id, seq)
                SELECT id, nextval('%1$s_seq') FROM unnest($1::text[]) AS id
                ON CONFLICT (member_id) DO UPDATE SET seq = EXCLUDED.seq""".formatted(table))
                .execute(Tuple.of(memberIds.toArray(String[]::new))).replaceWithVoid();
    }

    /** The oldest misses, at most limit. */
    public Uni<Missed> oldest(int limit) {
        return pool.preparedQuery("SELECT member_id, seq FROM %s ORDER BY seq LIMIT $1".formatted(table))
                .execute(Tuple.of(limit)).map(rows -> {
                    List<String> memberIds = new ArrayList<>();
                    List<Long> seqs = new ArrayList<>();
                    for (Row row : rows) {
                        memberIds.add(row.getString(0));
                        seqs.add(row.getLong(1));
                    }
                    return new Missed(memberIds, seqs);
                });
    }

    /** Forgets the misses read, once repaired; a member missed again since stays. */
    public Uni<Void> clear(Missed missed) {
        return pool.preparedQuery("DELETE FROM %s WHERE seq = ANY($1)".formatted(table))
                .execute(Tuple.of(missed.seqs().toArray(Long[]::new))).replaceWithVoid();
    }
}
