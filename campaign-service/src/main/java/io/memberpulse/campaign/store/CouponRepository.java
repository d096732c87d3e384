package io.memberpulse.campaign.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Coupons issued and redeemed (member_coupon), from member.events. */
@ApplicationScoped
public class CouponRepository {

    /** A coupon_issued (issued = true) or coupon_redeemed event; source and eventId: its key (source as stored). */
    public record CouponEvent(String couponId, String memberId, String campaignId, Double value, boolean issued, Instant at,
            String source, String eventId) {
    }

    /**
     * Order-insensitive: the issue names the holder, and its event is the coupon's (a MemberSplit gives the coupon to
     * the member it gives that event to); the earliest redemption counts. In the client's transaction (rows in coupon
     * order).
     */
    public Uni<Void> apply(SqlClient client, List<CouponEvent> events) {
        List<Tuple> issued = new ArrayList<>();
        List<Tuple> redeemed = new ArrayList<>();
        for (CouponEvent e : events.stream().sorted(Comparator.comparing(CouponEvent::couponId)).toList()) {
            (e.issued() ? issued : redeemed).add(Tuple.from(Arrays.asList(e.couponId(), e.memberId(), e.campaignId(),
                    e.value(), e.at().atOffset(ZoneOffset.UTC), e.source(), e.eventId())));
        }
        Uni<Void> applied = Uni.createFrom().voidItem();
        if (!issued.isEmpty()) {
            applied = applied.chain(() -> client.preparedQuery("""
                    INSERT INTO member_coupon (coupon_id, member_id, campaign_id, coupon_value, issued_at, source, event_id)
                    VALUES ($1, $2, $3, $4, $5, $6, $7)
                    ON CONFLICT (coupon_id) DO UPDATE SET member_id = EXCLUDED.member_id,
                      source = EXCLUDED.source, event_id = EXCLUDED.event_id,
                      campaign_id = coalesce(EXCLUDED.campaign_id, member_coupon.campaign_id),
                      coupon_value = coalesce(EXCLUDED.coupon_value, member_coupon.coupon_value),
                      issued_at = EXCLUDED.issued_at""").executeBatch(issued).replaceWithVoid());
        }
        if (!redeemed.isEmpty()) {
            applied = applied.chain(() -> client.preparedQuery("""
                    INSERT INTO member_coupon (coupon_id, member_id, campaign_id, coupon_value, redeemed_at, source, event_id)
                    VALUES ($1, $2, $3, $4, $5, $6, $7)
                    ON CONFLICT (coupon_id) DO UPDATE SET
                      redeemed_at = LEAST(member_coupon.redeemed_at, EXCLUDED.redeemed_at)""")
                    .executeBatch(redeemed).replaceWithVoid());
        }
        return applied;
    }
}
