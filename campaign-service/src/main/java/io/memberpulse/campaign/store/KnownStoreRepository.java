package io.memberpulse.campaign.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;

/** The stores and members campaign-service has seen, and event time (event_clock). */
@ApplicationScoped
public class KnownStoreRepository {
    private final Pool pool;

    public KnownStoreRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Void> remember(Collection<String> storeIds, Instant seenAt) {
        if (storeIds.isEmpty() || seenAt == null) {
            return Uni.createFrom().voidItem();
        }
        return pool.preparedQuery("""
                INSERT INTO known_store (store_id, first_seen) SELECT unnest($1::text[]), $2 ON CONFLICT DO NOTHING""")
                .execute(Tuple.of(storeIds.toArray(String[]::new), seenAt.atOffset(ZoneOffset.UTC))).replaceWithVoid();
    }

    /** A store is known once an event happened there, a scored member belongs to it or member.segments named it. */
    public Uni<Boolean> exists(String storeId) {
        return pool.preparedQuery("""
                SELECT EXISTS (SELECT 1 FROM known_store WHERE store_id = $1)
                    OR EXISTS (SELECT 1 FROM member_risk WHERE store_id = $1)""")
                .execute(Tuple.of(storeId)).map(rows -> rows.iterator().next().getBoolean(0));
    }

    /**
     * The id under which the member is known now: the final survivor a merge absorbed them into (member_alias), else
     * the member itself once an event, a churn score, a segment change or a merge named them; null when unknown.
     */
    public Uni<String> knownAs(String memberId) {
        return pool.preparedQuery("""
                SELECT coalesce((SELECT surviving_member_id FROM member_alias WHERE absorbed_member_id = $1),
                    CASE WHEN EXISTS (SELECT 1 FROM member_risk WHERE member_id = $1)
                           OR EXISTS (SELECT 1 FROM member_purchase WHERE member_id = $1)
                           OR EXISTS (SELECT 1 FROM member_contact WHERE member_id = $1)
                           OR EXISTS (SELECT 1 FROM member_coupon WHERE member_id = $1)
                           OR EXISTS (SELECT 1 FROM member_segment WHERE member_id = $1)
                           OR EXISTS (SELECT 1 FROM member_alias WHERE surviving_member_id = $1)
                         THEN $1::text END)""")
                .execute(Tuple.of(memberId)).map(rows -> rows.iterator().next().getString(0));
    }

    /** Event time moves forward only. */
    public Uni<Void> advanceClock(Instant newest) {
        if (newest == null) {
            return Uni.createFrom().voidItem();
        }
        return pool.preparedQuery("""
                INSERT INTO event_clock (id, at) VALUES (1, $1)
                ON CONFLICT (id) DO UPDATE SET at = GREATEST(event_clock.at, EXCLUDED.at)""")
                .execute(Tuple.of(newest.atOffset(ZoneOffset.UTC))).replaceWithVoid();
    }

    /** The newest event time seen, or null before the first event. */
    public Uni<Instant> clock() {
        return pool.query("SELECT at FROM event_clock WHERE id = 1").execute()
                .map(rows -> rows.iterator().hasNext() ? rows.iterator().next().getOffsetDateTime(0).toInstant() : null);
    }
}
