package io.memberpulse.campaign.store;

import io.memberpulse.campaign.CampaignConfig;
import io.memberpulse.campaign.domain.MemberCard;
import io.memberpulse.campaign.domain.MemberInsight;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The member cards of a call list, read set-at-a-time from campaign-service's own projection of
 * member.events (member_purchase, member_coupon, member_contact, member_number), as of event time (event_clock).
 */
@ApplicationScoped
public class MemberCardRepository {
    private static final String LINE_COLUMNS = "mp.member_id," + StandingOrders.orderKey() + """
            , mp.kind = 'refund', mp.occurred_at, mp.store_id, mp.sku, mp.category, mp.quantity, mp.amount""";

    private final Pool pool;
    private final ContactRepository contacts;
    private final KnownStoreRepository stores;
    private final Duration couponValidity;

    public MemberCardRepository(Pool pool, ContactRepository contacts, KnownStoreRepository stores, CampaignConfig config) {
        this.pool = pool;
        this.contacts = contacts;
        this.stores = stores;
        this.couponValidity = Duration.ofDays(config.campaign().couponValidityDays());
    }

    public Uni<Map<String, MemberCard>> cards(Collection<String> memberIds) {
        if (memberIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        String[] ids = memberIds.toArray(String[]::new);
        return stores.clock().flatMap(asOf -> {
            Uni<Map<String, String>> phones = contacts.maskedPhones(memberIds);
            Uni<Map<String, String>> numbers = contacts.memberNumbers(memberIds);
            if (asOf == null) {
                return Uni.combine().all().unis(phones, numbers)
                        .with((found, nos) -> cards(memberIds, found, nos, null, Map.of(), Map.of(), Map.of()));
            }
            return Uni.combine().all().unis(phones, numbers, recent(ids, asOf), lastOrders(ids, asOf), openCoupons(ids, asOf))
                    .with((found, nos, recent, last, coupons) -> cards(memberIds, found, nos, asOf, recent, last, coupons));
        });
    }

    private static Map<String, MemberCard> cards(Collection<String> memberIds, Map<String, String> phones,
            Map<String, String> numbers, Instant asOf,
            Map<String, List<MemberInsight.Line>> recent, Map<String, List<MemberInsight.Line>> last,
            Map<String, List<MemberInsight.OpenCoupon>> coupons) {
        Map<String, MemberCard> cards = new HashMap<>();
        for (String member : memberIds) {
            MemberInsight insight = asOf == null ? null : MemberInsight.of(asOf, recent.getOrDefault(member, List.of()),
                    last.getOrDefault(member, List.of()), coupons.getOrDefault(member, List.of()));
            cards.put(member, new MemberCard(phones.get(member), numbers.get(member), insight));
        }
        return cards;
    }

    /**
     * Each member's lines of the 90 days up to asOf, and the order lines placed before them of the orders a refund
     * among them takes back (the order orderSourceOf gives the refund), so that MemberInsight takes such a refund off
     * that order, not off the 90 days.
     */
    private Uni<Map<String, List<MemberInsight.Line>>> recent(String[] ids, Instant asOf) {
        return pool.preparedQuery("SELECT " + LINE_COLUMNS + """
                 FROM member_purchase mp
                WHERE mp.member_id = ANY($1) AND mp.kind IN ('order', 'refund') AND mp.occurred_at > $2 AND mp.occurred_at <= $3
                UNION ALL
                SELECT""" + " " + LINE_COLUMNS + """
                 FROM member_purchase mp
                WHERE mp.member_id = ANY($1) AND mp.kind = 'order' AND mp.occurred_at <= $2 AND EXISTS (
                  SELECT 1 FROM member_purchase r
                  WHERE r.member_id = mp.member_id AND r.kind = 'refund' AND r.order_id = mp.order_id
                    AND r.occurred_at > $2 AND r.occurred_at <= $3 AND mp.source =""" + CampaignRepository.orderSourceOf("r")
                + ")")
                .execute(Tuple.of(ids, asOf.minus(MemberInsight.WINDOW).atOffset(ZoneOffset.UTC), asOf.atOffset(ZoneOffset.UTC)))
                .map(MemberCardRepository::lines);
    }

    /**
     * The lines of each member's latest order that stands as of asOf (StandingOrders: its lines net of its refunds up
     * to then above 0; an order refunded in full is no last purchase).
     */
    private Uni<Map<String, List<MemberInsight.Line>>> lastOrders(String[] ids, Instant asOf) {
        return pool.preparedQuery("""
                WITH last AS (
                  SELECT DISTINCT ON (member_id) member_id, order_key FROM (""" + StandingOrders.among(
                ", max(mp.occurred_at) FILTER (WHERE mp.kind = 'order') AS bought_at",
                "member_purchase mp", "mp.member_id = ANY($1) AND mp.occurred_at <= $2") + """
                  ) orders
                  ORDER BY member_id, bought_at DESC)
                SELECT""" + " " + LINE_COLUMNS + """
                 FROM last JOIN member_purchase mp ON mp.member_id = last.member_id AND mp.kind = 'order'
                  AND mp.source || ':' || coalesce(mp.order_id, mp.event_id) = last.order_key
                ORDER BY mp.occurred_at, mp.event_id""")
                .execute(Tuple.of(ids, asOf.atOffset(ZoneOffset.UTC)))
                .map(MemberCardRepository::lines);
    }

    private Uni<Map<String, List<MemberInsight.OpenCoupon>>> openCoupons(String[] ids, Instant asOf) {
        return pool.preparedQuery("""
                SELECT member_id, coupon_id, campaign_id, coupon_value, issued_at FROM member_coupon
                WHERE member_id = ANY($1) AND redeemed_at IS NULL AND issued_at <= $2 AND issued_at > $3""")
                .execute(Tuple.of(ids, asOf.atOffset(ZoneOffset.UTC), asOf.minus(couponValidity).atOffset(ZoneOffset.UTC)))
                .map(rows -> {
                    Map<String, List<MemberInsight.OpenCoupon>> coupons = new HashMap<>();
                    for (Row row : rows) {
                        Instant issued = row.getOffsetDateTime(4).toInstant();
                        coupons.computeIfAbsent(row.getString(0), m -> new ArrayList<>()).add(new MemberInsight.OpenCoupon(
                                row.getString(1), row.getString(2), row.getDouble(3), issued, issued.plus(couponValidity)));
                    }
                    return coupons;
                });
    }

    private static Map<String, List<MemberInsight.Line>> lines(io.vertx.mutiny.sqlclient.RowSet<Row> rows) {
        Map<String, List<MemberInsight.Line>> lines = new HashMap<>();
        for (Row row : rows) {
            lines.computeIfAbsent(row.getString(0), m -> new ArrayList<>()).add(new MemberInsight.Line(row.getString(1),
                    row.getBoolean(2), row.getOffsetDateTime(3).toInstant(), row.getString(4), row.getString(5),
                    row.getString(6), row.getDouble(7), row.getDouble(8)));
        }
        return lines;
    }
}
