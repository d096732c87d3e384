package io.memberpulse.rfm.store;

import io.memberpulse.rfm.domain.MemberFact;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Members' non-purchase facts (member_activity), once per (source, event_id). */
@ApplicationScoped
public class ActivityRepository {
    private final Pool pool;

    public ActivityRepository(Pool pool) {
        this.pool = pool;
    }

    /** A fact with its member and event key, as written. */
    public record StoredFact(String source, String eventId, String memberId, MemberFact fact) {
    }

    /** Stores new facts; a known (source, event_id) changes nothing. */
    public Uni<Void> insert(List<StoredFact> facts) {
        if (facts.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> tuples = new ArrayList<>(facts.size());
        for (StoredFact stored : facts) {
            MemberFact f = stored.fact();
            tuples.add(Tuple.from(Arrays.asList(stored.source(), stored.eventId(), stored.memberId(),
                    f.kind().name().toLowerCase(Locale.ROOT), f.occurredAt().atOffset(ZoneOffset.UTC), f.storeId(),
                    f.category(), f.rating(), f.reviewText(), f.gender(), f.birthDate(), f.city())));
        }
        return pool.preparedQuery("""
                INSERT INTO member_activity (source, event_id, member_id, kind, occurred_at, store_id, category, rating,
                  review_text, gender, birth_date, city)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING""")
                .executeBatch(tuples).replaceWithVoid();
    }

    public Uni<Map<String, List<MemberFact>>> factsOf(Collection<String> memberIds) {
        return pool.preparedQuery("""
                SELECT member_id, kind, occurred_at, store_id, category, rating, review_text, gender, birth_date, city
                FROM member_activity WHERE member_id = ANY($1)""")
                .execute(Tuple.of(memberIds.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, List<MemberFact>> facts = new HashMap<>();
                    for (Row row : rows) {
                        facts.computeIfAbsent(row.getString(0), id -> new ArrayList<>()).add(new MemberFact(
                                MemberFact.Kind.valueOf(row.getString(1).toUpperCase(Locale.ROOT)),
                                row.getOffsetDateTime(2).toInstant(), row.getString(3), row.getString(4),
                                row.getInteger(5), row.getString(6), row.getString(7), row.getString(8), row.getString(9)));
                    }
                    return facts;
                });
    }
}
