package io.memberpulse.rfm.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** The members whose cached RFM row Redis missed while it could not be reached (redis_missed_rfm, V21). */
@ApplicationScoped
public class MissedRfmRepository {
    private final Pool pool;

    public MissedRfmRepository(Pool pool) {
        this.pool = pool;
    }

    /** Misses read for a repair: the members, and the seq of each miss (a member missed again since keeps its row). */
    public record Missed(List<String> memberIds, List<Long> seqs) {
        public boolean isEmpty() {
            return memberIds.isEmpty();
        }
    }

    public Uni<Void> record(Collection<String> memberIds) {
        return pool.preparedQuery("""
                INSERT INTO redis_missed_rfm (member_id, seq)
                SELECT id, nextval('redis_missed_rfm_seq') FROM unnest($1::text[]) AS id
                ON CONFLICT (member_id) DO UPDATE SET seq = EXCLUDED.seq""")
                .execute(Tuple.of(memberIds.toArray(String[]::new))).replaceWithVoid();
    }

    /** The oldest misses, at most limit. */
    public Uni<Missed> oldest(int limit) {
        return pool.preparedQuery("SELECT member_id, seq FROM redis_missed_rfm ORDER BY seq LIMIT $1")
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
        return pool.preparedQuery("DELETE FROM redis_missed_rfm WHERE seq = ANY($1)")
                .execute(Tuple.of(missed.seqs().toArray(Long[]::new))).replaceWithVoid();
    }
}
