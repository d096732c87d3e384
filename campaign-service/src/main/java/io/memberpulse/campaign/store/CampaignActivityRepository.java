package io.memberpulse.campaign.store;

import io.memberpulse.campaign.domain.experiment.Activity;
import io.memberpulse.campaign.domain.experiment.Arm;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** What each enrolled member of a campaign did within a window (member_purchase, call_task, task_outcome). */
@ApplicationScoped
public class CampaignActivityRepository {
    private final Pool pool;

    public CampaignActivityRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * Orders that stand (one per source and order id, net of their refunds up to {@code to} above 0, as /results counts
     * them: CampaignRepository.STANDING_ORDERS) and net revenue in [from, to) in event time;
     * responded = redeemed one of this campaign's coupons in the window (the redemption names the campaign, or the
     * coupon's issue did), or (when {@code countCalls}) was reached by
     * one of the campaign's calls made within its window (CampaignRepository.CALL_IN_WINDOW, as its cost counts them).
     */
    public Uni<List<Activity.Member>> activity(String campaignId, Instant from, Instant to, boolean countCalls) {
        return pool.preparedQuery("WITH " + CampaignRepository.STANDING_ORDERS + """
                SELECT cm.arm, cm.store_id,
                       coalesce(st.orders, 0),
                       coalesce(sum(mp.amount) FILTER (WHERE mp.kind IN ('order', 'refund')), 0),
                       bool_or(mp.kind = 'coupon_redeemed' AND mp.credited_campaign_id = $1)
                         OR ($4 AND EXISTS (SELECT 1 FROM call_task t JOIN task_outcome o ON o.task_id = t.id
                                             JOIN campaign c ON c.id = t.campaign_id
                                             WHERE t.member_id = cm.member_id AND t.campaign_id = $1 AND o.reached
                                               AND %s))
                FROM campaign_member cm
                LEFT JOIN standing st ON st.member_id = cm.member_id
                LEFT JOIN member_activity mp ON mp.member_id = cm.member_id AND mp.occurred_at >= $2 AND mp.occurred_at < $3
                WHERE cm.campaign_id = $1
                GROUP BY cm.member_id, cm.arm, cm.store_id, st.orders""".formatted(CampaignRepository.CALL_IN_WINDOW))
                .execute(Tuple.of(campaignId, from.atOffset(ZoneOffset.UTC), to.atOffset(ZoneOffset.UTC), countCalls))
                .map(rows -> {
                    List<Activity.Member> members = new ArrayList<>();
                    for (Row row : rows) {
                        members.add(new Activity.Member(Arm.valueOf(row.getString(0)), row.getString(1),
                                row.getLong(2).intValue(), row.getDouble(3), Boolean.TRUE.equals(row.getBoolean(4))));
                    }
                    return members;
                });
    }
}
