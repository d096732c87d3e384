package io.memberpulse.campaign.store;

import io.memberpulse.campaign.domain.experiment.Arm;
import io.memberpulse.campaign.domain.experiment.Assignment;
import io.memberpulse.campaign.domain.experiment.Campaign;
import io.memberpulse.campaign.domain.experiment.CampaignReview;
import io.memberpulse.campaign.domain.experiment.CampaignState;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Campaigns (Panache, in the caller's transaction) and the set-at-a-time SQL of enrolment and review
 * (the reactive pool: thousands of members per statement).
 */
@ApplicationScoped
public class CampaignRepository implements PanacheRepositoryBase<CampaignEntity, String> {
    private final Pool pool;

    public CampaignRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Campaign> save(Campaign campaign, Instant now) {
        return findById(campaign.id()).flatMap(existing -> {
            CampaignEntity row = existing == null ? new CampaignEntity() : existing;
            if (existing == null) {
                row.id = campaign.id();
                row.createdAt = now;
            }
            row.name = campaign.name();
            row.targetMinProbability = campaign.targetMinProbability();
            row.targetStoreId = campaign.targetStoreId();
            row.content = campaign.content() == null ? "" : campaign.content();
            row.channel = campaign.channel();
            row.offer = campaign.offer() == null ? "" : campaign.offer();
            row.costPerTouch = campaign.costPerTouch();
            row.couponValue = campaign.couponValue();
            row.startAt = campaign.startAt();
            row.endAt = campaign.endAt();
            row.holdoutShare = campaign.holdoutShare();
            row.variants = String.join(",", campaign.variants());
            row.state = campaign.state().name();
            return persist(row).replaceWith(campaign);
        });
    }

    public Uni<Campaign> campaign(String id) {
        return findById(id).map(row -> row == null ? null : toDomain(row));
    }

    public Uni<List<Campaign>> all() {
        return listAll(io.quarkus.panache.common.Sort.descending("createdAt"))
                .map(rows -> rows.stream().map(CampaignRepository::toDomain).toList());
    }

    /** Members the churn-risk rule targets now (member_risk), how many. */
    public Uni<Long> audienceSize(double minProbability, String storeId) {
        return pool.preparedQuery("""
                SELECT count(*) FROM member_risk WHERE probability >= $1 AND ($2::text IS NULL OR store_id = $2)""")
                .execute(Tuple.of(minProbability, storeId)).map(rows -> rows.iterator().next().getLong(0));
    }

    /** Enrols every targeted member with the arm and variant the hash gives; returns how many were new. */
    public Uni<Integer> enrol(Campaign campaign, Instant now) {
        return pool.preparedQuery("""
                SELECT member_id, store_id FROM member_risk WHERE probability >= $1 AND ($2::text IS NULL OR store_id = $2)""")
                .execute(Tuple.of(campaign.targetMinProbability(), campaign.targetStoreId()))
                .flatMap(rows -> {
                    List<Tuple> members = new ArrayList<>();
                    for (Row row : rows) {
                        Assignment assignment = campaign.assign(row.getString(0));
                        members.add(Tuple.from(Arrays.asList(campaign.id(), row.getString(0), row.getString(1),
                                assignment.arm().name(), assignment.variant(), now.atOffset(ZoneOffset.UTC))));
                    }
                    if (members.isEmpty()) {
                        return Uni.createFrom().item(0);
                    }
                    return pool.preparedQuery("""
                            INSERT INTO campaign_member (campaign_id, member_id, store_id, arm, variant, enrolled_at)
                            VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING""")
                            .executeBatch(members).map(result -> members.size());
                });
    }

    /** Each enrolled member's orders and net revenue within the campaign window. */
    public Uni<List<CampaignReview.MemberWindow>> windows(Campaign campaign, Instant until) {
        Instant end = campaign.endAt().isBefore(until) ? campaign.endAt() : until;
        return pool.preparedQuery("""
                SELECT cm.arm,
                       count(DISTINCT mp.order_id) FILTER (WHERE mp.kind = 'order'),
                       coalesce(sum(mp.amount) FILTER (WHERE mp.kind IN ('order', 'refund')), 0)
                FROM campaign_member cm
                LEFT JOIN member_purchase mp ON mp.member_id = cm.member_id
                     AND mp.occurred_at >= $2 AND mp.occurred_at < $3
                WHERE cm.campaign_id = $1
                GROUP BY cm.member_id, cm.arm""")
                .execute(Tuple.of(campaign.id(), campaign.startAt().atOffset(ZoneOffset.UTC), end.atOffset(ZoneOffset.UTC)))
                .map(rows -> {
                    List<CampaignReview.MemberWindow> windows = new ArrayList<>();
                    for (Row row : rows) {
                        windows.add(new CampaignReview.MemberWindow(Arm.valueOf(row.getString(0)),
                                row.getLong(1).intValue(), row.getDouble(2)));
                    }
                    return windows;
                });
    }

    /** Coupons of this campaign redeemed by its treated members. */
    public Uni<Long> couponsRedeemed(String campaignId) {
        return pool.preparedQuery("""
                SELECT count(*) FROM member_purchase mp JOIN campaign_member cm
                  ON cm.member_id = mp.member_id AND cm.campaign_id = $1 AND cm.arm = 'TREATED'
                WHERE mp.kind = 'coupon_redeemed' AND mp.campaign_id = $1""")
                .execute(Tuple.of(campaignId)).map(rows -> rows.iterator().next().getLong(0));
    }

    static Campaign toDomain(CampaignEntity row) {
        List<String> variants = row.variants.isBlank() ? List.of() : List.of(row.variants.split(","));
        return new Campaign(row.id, row.name, row.targetMinProbability, row.targetStoreId, row.content, row.channel,
                row.offer, row.costPerTouch, row.couponValue, row.startAt, row.endAt, row.holdoutShare, variants,
                CampaignState.valueOf(row.state));
    }
}
