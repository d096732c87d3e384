package io.memberpulse.proto.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * The members whose cached value Redis missed while it could not be reached, kept in PostgreSQL so that every replica
 * can repair Redis once it answers again (churn's scores, rfm's rows; campaign's call lists, by store). The table holds
 * (member_id primary key, seq from the sequence {@code <table>_seq}), or another key column; a member missed again
 * keeps one row with the newer seq.
 */
public class MissedRedisWrites {
    private final Pool pool;
    private final String table;
    private final String key;

    /** @param table the service's table, a constant of its own (it is written into the SQL) */
    protected MissedRedisWrites(Pool pool, String table) {
        this(pool, table, "member_id");
    }

    /** @param key the table's key column when what Redis missed is not a member's (a constant, as the table) */
    protected MissedRedisWrites(Pool pool, String table, String key) {
        this.pool = pool;
        this.table = table;
        this.key = key;
    }

    /** Misses read for a repair: the members, and the seq of each miss (a member missed again since keeps its row). */
    public record Missed(List<String> memberIds, List<Long> seqs) {
        public boolean isEmpty() {
            return memberIds.isEmpty();
        }
    }

    public Uni<Void> record(Collection<String> memberIds) {
        return pool.preparedQuery("""
                INSERT INTO %1$s (%2$s, seq)
                SELECT id, nextval('%1$s_seq') FROM unnest($1::text[]) AS id
                ON CONFLICT (%2$s) DO UPDATE SET seq = EXCLUDED.seq""".formatted(table, key))
                .execute(Tuple.of(memberIds.toArray(String[]::new))).replaceWithVoid();
    }

    /** The oldest misses, at most limit. */
    public Uni<Missed> oldest(int limit) {
        return pool.preparedQuery("SELECT %s, seq FROM %s ORDER BY seq LIMIT $1".formatted(key, table))
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

    /**
     * Repairs every miss recorded, oldest first, a page at a time: {@code putRight} puts Redis right for the page's
     * members, then the page is forgotten (a member missed again meanwhile keeps its newer row). Blocking. Returns the
     * number of members repaired once none is left; fails while Redis or PostgreSQL cannot be reached, leaving the
     * rest recorded for the next try.
     *
     * @param beforePage told before each page is put right: the replica reads PostgreSQL until the repair is through
     */
    public int repairAll(int pageSize, Runnable beforePage, Function<List<String>, Uni<Void>> putRight) {
        int repaired = 0;
        while (true) {
            Missed page = oldest(pageSize).await().indefinitely();
            if (page.isEmpty()) {
                return repaired;
            }
            beforePage.run();
            putRight.apply(page.memberIds()).chain(() -> clear(page)).await().indefinitely();
            repaired += page.memberIds().size();
        }
    }

    /** Forgets the misses read, once repaired; a member missed again since stays. */
    public Uni<Void> clear(Missed missed) {
        return pool.preparedQuery("DELETE FROM %s WHERE seq = ANY($1)".formatted(table))
                .execute(Tuple.of(missed.seqs().toArray(Long[]::new))).replaceWithVoid();
    }
}
