package io.memberpulse.campaign.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Members' purchases as campaigns judge them (member_purchase), stored once per (source, event_id). */
@ApplicationScoped
public class PurchaseRepository {
    private final Pool pool;

    public PurchaseRepository(Pool pool) {
        this.pool = pool;
    }

    public record Purchase(String source, String eventId, String memberId, String kind, String orderId,
            String campaignId, Instant occurredAt, double amount) {
    }

    public Uni<Void> insert(List<Purchase> purchases) {
        if (purchases.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> tuples = new ArrayList<>(purchases.size());
        for (Purchase p : purchases) {
            tuples.add(Tuple.from(Arrays.asList(p.source(), p.eventId(), p.memberId(), p.kind(), p.orderId(),
                    p.campaignId(), p.occurredAt().atOffset(ZoneOffset.UTC), p.amount())));
        }
        return pool.preparedQuery("""
                INSERT INTO member_purchase (source, event_id, member_id, kind, order_id, campaign_id, occurred_at, amount)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING""")
                .executeBatch(tuples).replaceWithVoid();
    }
}
