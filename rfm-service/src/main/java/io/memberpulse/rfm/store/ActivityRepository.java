package io.memberpulse.rfm.store;

import io.memberpulse.rfm.domain.MemberFact;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
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

    /**
     * Stores new facts in one statement; a known (source, event_id) changes nothing.
     * @param client the transaction recording a batch (or the pool)
     */
    public Uni<Void> insert(SqlClient client, List<StoredFact> facts) {
        if (facts.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = facts.size();
        String[] sources = new String[n], eventIds = new String[n], members = new String[n], kinds = new String[n],
                stores = new String[n], categories = new String[n], texts = new String[n], genders = new String[n],
                births = new String[n], cities = new String[n], coupons = new String[n];
        OffsetDateTime[] at = new OffsetDateTime[n];
        Integer[] ratings = new Integer[n];
        for (int i = 0; i < n; i++) {
            StoredFact stored = facts.get(i);
            MemberFact f = stored.fact();
            sources[i] = stored.source();
            eventIds[i] = stored.eventId();
            members[i] = stored.memberId();
            kinds[i] = f.kind().name().toLowerCase(Locale.ROOT);
            at[i] = f.occurredAt().atOffset(ZoneOffset.UTC);
            stores[i] = f.storeId();
            categories[i] = f.category();
            ratings[i] = f.rating();
            texts[i] = f.reviewText();
            genders[i] = f.gender();
            births[i] = f.birthDate();
            cities[i] = f.city();
            coupons[i] = f.couponId();
        }
        return client.preparedQuery("""
                INSERT INTO member_activity (source, event_id, member_id, kind, occurred_at, store_id, category, rating,
                  review_text, gender, birth_date, city, coupon_id)
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[],
                  $7::text[], $8::int4[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[])
                ON CONFLICT DO NOTHING""")
                .execute(Tuple.from(new Object[] {sources, eventIds, members, kinds, at, stores, categories, ratings, texts,
                        genders, births, cities, coupons}))
                .replaceWithVoid();
    }

    /** Every member's facts, streamed. */
    public Uni<Long> forEachFact(java.util.function.BiConsumer<String, MemberFact> each) {
        return RowScan.forEach(pool, """
                SELECT member_id, kind, occurred_at, store_id, category, rating, review_text, gender, birth_date, city, coupon_id
                FROM member_activity""", row -> each.accept(row.getString(0), fact(row)));
    }

    public Uni<Map<String, List<MemberFact>>> factsOf(Collection<String> memberIds) {
        return pool.preparedQuery("""
                SELECT member_id, kind, occurred_at, store_id, category, rating, review_text, gender, birth_date, city, coupon_id
                FROM member_activity WHERE member_id = ANY($1)""")
                .execute(Tuple.of(memberIds.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, List<MemberFact>> facts = new HashMap<>();
                    for (Row row : rows) {
                        facts.computeIfAbsent(row.getString(0), id -> new ArrayList<>()).add(fact(row));
                    }
                    return facts;
                });
    }

    private static MemberFact fact(Row row) {
        return new MemberFact(MemberFact.Kind.valueOf(row.getString(1).toUpperCase(Locale.ROOT)),
                row.getOffsetDateTime(2).toInstant(), row.getString(3), row.getString(4), row.getInteger(5),
                row.getString(6), row.getString(7), row.getString(8), row.getString(9), row.getString(10));
    }
}
