package io.memberpulse.campaign.store;

import io.memberpulse.campaign.domain.CategoryMarginRates;
import io.memberpulse.campaign.domain.CloseReason;
import io.memberpulse.campaign.domain.experiment.Arm;
import io.memberpulse.campaign.domain.experiment.Assignment;
import io.memberpulse.campaign.domain.experiment.CallArms;
import io.memberpulse.campaign.domain.experiment.Campaign;
import io.memberpulse.campaign.domain.experiment.CampaignReview;
import io.memberpulse.campaign.domain.experiment.CampaignState;
import io.memberpulse.campaign.domain.experiment.Target;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

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
                row.followedUpState = campaign.state().name();
            }
            row.name = campaign.name();
            row.targetSegmentId = campaign.target().segmentId();
            row.targetMinProbability = campaign.target().minProbability();
            row.targetStoreId = campaign.target().storeId();
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

    /** @param followedUp the latest state whose follow-ups all ran: the campaign's own state, or an earlier one */
    public record StoredCampaign(Campaign campaign, CampaignState followedUp) {
    }

    /** The campaign and how far its follow-ups ran, or null (in the caller's transaction). */
    public Uni<StoredCampaign> stored(String id) {
        return findById(id).map(row -> row == null ? null
                : new StoredCampaign(toDomain(row), CampaignState.valueOf(row.followedUpState)));
    }

    /**
     * Records that the follow-ups of the campaign's moves up to the state all ran, if it is still in that state. A
     * bulk update: the version stays (a move to the next state loading the campaign meanwhile is not refused).
     */
    public Uni<Void> followedUp(String id, CampaignState state) {
        return update("followedUpState = ?2 where id = ?1 and state = ?2", id, state.name()).replaceWithVoid();
    }

    /** The ids of campaigns whose follow-ups have not all run (followed_up_state behind state), oldest first. */
    public Uni<List<String>> lagging() {
        return list("followedUpState <> state order by createdAt").map(rows -> rows.stream().map(row -> row.id).toList());
    }

    public Uni<List<Campaign>> all() {
        return listAll(io.quarkus.panache.common.Sort.descending("createdAt"))
                .map(rows -> rows.stream().map(CampaignRepository::toDomain).toList());
    }

    /**
     * The members a target admits now: a segment's members (from member.segments) in their scored or
     * reported home store, with the probability floor when it is above 0; or the scored members at or
     * above the floor. Columns: member_id, store_id.
     */
    private static final String AUDIENCE = """
            SELECT a.member_id, a.store_id FROM (
              SELECT ms.member_id, coalesce(mr.store_id, ms.home_store_id) AS store_id, coalesce(mr.probability, 0) AS probability
              FROM member_segment ms LEFT JOIN member_risk mr ON mr.member_id = ms.member_id
              WHERE $3::text IS NOT NULL AND ms.segment_id = $3
              UNION ALL
              SELECT member_id, store_id, probability FROM member_risk WHERE $3::text IS NULL) a
            WHERE ($1::float8 = 0 OR a.probability >= $1::float8) AND ($2::text IS NULL OR a.store_id = $2)""";

    private static Tuple audience(Target target) {
        return Tuple.of(target.minProbability(), target.storeId(), target.segmentId());
    }

    /** How many members the target admits now. */
    public Uni<Long> audienceSize(Target target) {
        return pool.preparedQuery("SELECT count(*) FROM (" + AUDIENCE + ") audience").execute(audience(target))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /** An enrolment, with the segments the member is in at that moment (never changed after). */
    private static final String ENROL = """
            INSERT INTO campaign_member (campaign_id, member_id, store_id, arm, variant, enrolled_at, segments_at_enrolment)
            VALUES ($1, $2, $3, $4, $5, $6,
              (SELECT coalesce(array_agg(segment_id ORDER BY segment_id), '{}') FROM member_segment WHERE member_id = $2))
            ON CONFLICT DO NOTHING""";

    /**
     * Enrols every targeted member with the arm and variant the hash gives; returns how many were new. A call
     * campaign leaves out the members another call campaign whose window overlaps its own has enrolled (first come:
     * a call task counts for one campaign) and records them as excluded for overlap.
     */
    public Uni<Integer> enrol(Campaign campaign, Instant now) {
        // In member order: two enrolments of one campaign at once (a request asking again, the background retry)
        // insert the same rows in the same order, so one waits for the other instead of both deadlocking.
        return pool.preparedQuery(AUDIENCE + " ORDER BY a.member_id").execute(audience(campaign.target()))
                .flatMap(rows -> {
                    List<String[]> audience = new ArrayList<>();
                    for (Row row : rows) {
                        audience.add(new String[] {row.getString(0), row.getString(1)});
                    }
                    if (audience.isEmpty()) {
                        return Uni.createFrom().item(0);
                    }
                    if (!campaign.makesCalls()) {
                        return enrol(pool, campaign, audience, Map.of(), now);
                    }
                    List<String> memberIds = audience.stream().map(m -> m[0]).toList();
                    return inCallEnrolment(connection -> enrolledElsewhere(connection, List.of(campaign.id()), memberIds)
                            .flatMap(found -> enrol(connection, campaign, audience,
                                    found.getOrDefault(campaign.id(), Map.of()), now)));
                });
    }

    /** Enrols the audience (member id, store id) but for {@code excluded} (member id → the campaign that has them). */
    private static Uni<Integer> enrol(SqlClient client, Campaign campaign, List<String[]> audience,
            Map<String, String> excluded, Instant now) {
        List<CallArms.Enrolment> enrolments = new ArrayList<>();
        List<CallArms.Exclusion> exclusions = new ArrayList<>();
        for (String[] member : audience) {
            CallArms.Entry entry = CallArms.entry(campaign, member[0], member[1], excluded.get(member[0]));
            if (entry instanceof CallArms.Exclusion exclusion) {
                exclusions.add(exclusion);
            } else if (entry instanceof CallArms.Enrolment enrolment) {
                enrolments.add(enrolment);
            }
        }
        return exclude(client, exclusions, now).chain(() -> enrol(client, enrolments, now)).replaceWith(enrolments.size());
    }

    /**
     * The lock that call-campaign enrolment holds from reading who is enrolled elsewhere until its enrolments commit
     * (the bigint reads "camp_enr"; hashtext keys, the store locks', are 32-bit and never meet it).
     */
    static final long CALL_ENROLMENT_LOCK = 0x6361_6d70_5f65_6e72L;

    /**
     * Runs the step in a transaction holding {@link #CALL_ENROLMENT_LOCK}: two call campaigns enrolling the same
     * member at once (a campaign going live on one replica while another's replan enrols newcomers) would each read
     * that no other campaign has them and both enrol them. Under the lock the second reads the first's committed
     * enrolments (read committed: each statement sees what committed before it), so it excludes them. One key: the
     * step holds no other lock while waiting, so it cannot deadlock, and it lasts a few statements.
     */
    private <T> Uni<T> inCallEnrolment(Function<SqlConnection, Uni<T>> step) {
        // pg_advisory_xact_lock returns void, which the client cannot decode: count the one row instead.
        return pool.withTransaction(connection -> connection
                .query("SELECT count(*) FROM (SELECT pg_advisory_xact_lock(" + CALL_ENROLMENT_LOCK + ")) locked").execute()
                .chain(() -> step.apply(connection)));
    }

    /**
     * A replan's enrolment in the live call campaigns, under the call-enrolment lock ({@link #inCallEnrolment}):
     * reads the arms of {@code asked} in the campaigns and where {@code newcomers} are enrolled elsewhere, lets
     * {@code decide} answer the arms (CallArms.of), and records its enrolments and exclusions before the lock goes.
     */
    public Uni<CallArms> enrolCalls(List<String> campaignIds, List<String> asked, List<String> newcomers, Instant now,
            BiFunction<Map<String, Map<String, Arm>>, Map<String, Map<String, String>>, CallArms> decide) {
        return inCallEnrolment(connection -> arms(connection, campaignIds, asked)
                .flatMap(enrolled -> enrolledElsewhere(connection, campaignIds, newcomers)
                        .map(elsewhere -> decide.apply(enrolled, elsewhere)))
                .call(arms -> enrol(connection, arms.toEnrol(), now))
                .call(arms -> exclude(connection, arms.toExclude(), now)));
    }

    /**
     * For each of the call campaigns, the members among {@code memberIds} enrolled in another call campaign whose
     * window overlaps its own, live or ended (campaign id → member id → that campaign; the earliest enrolment where
     * there are several), leaving out members enrolled in the campaign itself (an enrolment is never changed).
     * Windows as they are now: a campaign moved to review early ends at the move, so one going live after that
     * overlaps it no more.
     */
    private static Uni<Map<String, Map<String, String>>> enrolledElsewhere(SqlClient client, List<String> campaignIds,
            List<String> memberIds) {
        return client.preparedQuery("""
                SELECT DISTINCT ON (c.id, cm.member_id) c.id, cm.member_id, cm.campaign_id
                FROM campaign c
                JOIN campaign oc ON oc.id <> c.id AND oc.channel = 'call'
                     AND oc.start_at < c.end_at AND c.start_at < oc.end_at
                JOIN campaign_member cm ON cm.campaign_id = oc.id AND cm.member_id = ANY($2)
                WHERE c.id = ANY($1) AND NOT EXISTS (
                  SELECT 1 FROM campaign_member self WHERE self.campaign_id = c.id AND self.member_id = cm.member_id)
                ORDER BY c.id, cm.member_id, cm.enrolled_at, cm.campaign_id""")
                .execute(Tuple.of(campaignIds.toArray(String[]::new), memberIds.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, Map<String, String>> found = new HashMap<>();
                    for (Row row : rows) {
                        found.computeIfAbsent(row.getString(0), c -> new HashMap<>()).put(row.getString(1), row.getString(2));
                    }
                    return found;
                });
    }

    /** Records members a call campaign did not enrol for overlap (once each: a replan finds them again). */
    private static Uni<Void> exclude(SqlClient client, List<CallArms.Exclusion> exclusions, Instant now) {
        if (exclusions.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> rows = new ArrayList<>();
        for (CallArms.Exclusion e : exclusions) {
            rows.add(Tuple.of(e.campaignId(), e.memberId(), e.enrolledIn(), now.atOffset(ZoneOffset.UTC)));
        }
        return client.preparedQuery("""
                INSERT INTO campaign_overlap_exclusion (campaign_id, member_id, enrolled_in, excluded_at)
                VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING""").executeBatch(rows).replaceWithVoid();
    }

    /** How many members the campaign did not enrol because an overlapping call campaign had enrolled them. */
    public Uni<Long> excludedForOverlap(String campaignId) {
        return pool.preparedQuery("SELECT count(*) FROM campaign_overlap_exclusion WHERE campaign_id = $1")
                .execute(Tuple.of(campaignId)).map(rows -> rows.iterator().next().getLong(0));
    }

    /**
     * LIVE call campaigns (in the caller's session). The state alone decides, so that the SOP and the holdout change
     * together, in one move: a campaign whose end the service's clock has passed is moved to review in the background
     * (PlanCampaignsService.endCampaignsPastTheirEnd). First come first: by start (going live sets it), then id.
     */
    public Uni<List<Campaign>> liveCalls() {
        return list("state = ?1 and channel = ?2 order by startAt, id", CampaignState.LIVE.name(), "call")
                .map(rows -> rows.stream().map(CampaignRepository::toDomain).toList());
    }

    /** The ids of LIVE campaigns whose window has ended by {@code now} (end_at at or before it), soonest end first. */
    public Uni<List<String>> liveEndedBy(Instant now) {
        return list("state = ?1 and endAt <= ?2 order by endAt, id", CampaignState.LIVE.name(), now)
                .map(rows -> rows.stream().map(row -> row.id).toList());
    }

    /** campaign id → member id → arm, for the members enrolled in those campaigns. */
    private static Uni<Map<String, Map<String, Arm>>> arms(SqlClient client, List<String> campaignIds, List<String> memberIds) {
        return client.preparedQuery("""
                SELECT campaign_id, member_id, arm FROM campaign_member WHERE campaign_id = ANY($1) AND member_id = ANY($2)""")
                .execute(Tuple.of(campaignIds.toArray(String[]::new), memberIds.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, Map<String, Arm>> arms = new HashMap<>();
                    for (Row row : rows) {
                        arms.computeIfAbsent(row.getString(0), c -> new HashMap<>()).put(row.getString(1), Arm.valueOf(row.getString(2)));
                    }
                    return arms;
                });
    }

    /** The arm and variant the member was enrolled with, or null when the member is not enrolled in the campaign. */
    public Uni<Assignment> enrolment(String campaignId, String memberId) {
        return pool.preparedQuery("SELECT arm, variant FROM campaign_member WHERE campaign_id = $1 AND member_id = $2")
                .execute(Tuple.of(campaignId, memberId)).map(rows -> {
                    var found = rows.iterator();
                    if (!found.hasNext()) {
                        return null;
                    }
                    Row row = found.next();
                    return new Assignment(Arm.valueOf(row.getString(0)), row.getString(1));
                });
    }

    /** Enrols members who came to meet a live campaign's target; an enrolment is never changed. */
    private static Uni<Void> enrol(SqlClient client, List<CallArms.Enrolment> enrolments, Instant now) {
        if (enrolments.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> rows = new ArrayList<>();
        for (CallArms.Enrolment e : enrolments) {
            rows.add(Tuple.from(Arrays.asList(e.campaignId(), e.memberId(), e.storeId(), e.assignment().arm().name(),
                    e.assignment().variant(), now.atOffset(ZoneOffset.UTC))));
        }
        return client.preparedQuery(ENROL).executeBatch(rows).replaceWithVoid();
    }

    /**
     * The stores of a campaign's enrolled members and of their OPEN calls: a call may sit in another store than the
     * one the member was enrolled in (a segment rule's call, in the store of most orders).
     */
    public Uni<List<String>> storesOf(String campaignId) {
        return pool.preparedQuery("""
                SELECT store_id FROM campaign_member WHERE campaign_id = $1 AND store_id IS NOT NULL
                UNION
                SELECT t.store_id FROM campaign_member cm JOIN call_task t ON t.member_id = cm.member_id AND t.status = 'OPEN'
                WHERE cm.campaign_id = $1""")
                .execute(Tuple.of(campaignId)).map(rows -> {
                    List<String> stores = new ArrayList<>();
                    rows.forEach(row -> stores.add(row.getString(0)));
                    return stores;
                });
    }

    /**
     * The segment entries of the campaign's held-out members whose call by that segment's rule the holdout cancelled:
     * still in the segment, and the rule's latest task for them cancelled as held out. Columns of
     * {@link MemberSegmentRepository.Change}: an entry at the time they entered.
     *
     * @param originBySegment the segment-entry rules: segment id → the origin of the tasks they open (domain.TaskOrigin)
     */
    public Uni<List<MemberSegmentRepository.Change>> heldOutSegmentEntries(String campaignId, Map<String, String> originBySegment) {
        if (originBySegment.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        List<String> segmentIds = List.copyOf(originBySegment.keySet());
        String[] origins = segmentIds.stream().map(originBySegment::get).toArray(String[]::new);
        // One pass over call_task (it has no index by member for closed tasks): this runs once, when a campaign ends.
        return pool.preparedQuery("""
                WITH rule (segment_id, origin) AS (SELECT * FROM unnest($2::text[], $3::text[])),
                latest AS (
                  SELECT DISTINCT ON (t.member_id, t.origin) t.member_id, t.origin, t.status, t.close_reason
                  FROM call_task t
                  WHERE t.origin = ANY($3)
                    AND t.member_id IN (SELECT member_id FROM campaign_member WHERE campaign_id = $1 AND arm = 'HOLDOUT')
                  ORDER BY t.member_id, t.origin, t.created_at DESC, t.closed_at DESC NULLS FIRST)
                SELECT ms.member_id, ms.segment_id, ms.since, ms.home_store_id
                FROM latest l JOIN rule r ON r.origin = l.origin
                JOIN member_segment ms ON ms.member_id = l.member_id AND ms.segment_id = r.segment_id
                WHERE l.status = 'CANCELLED' AND l.close_reason = $4
                ORDER BY ms.member_id, ms.segment_id""")
                .execute(Tuple.of(campaignId, segmentIds.toArray(String[]::new), origins, CloseReason.HELD_OUT.text()))
                .map(rows -> {
                    List<MemberSegmentRepository.Change> entries = new ArrayList<>();
                    for (Row row : rows) {
                        entries.add(new MemberSegmentRepository.Change(row.getString(0), row.getString(1), true,
                                row.getOffsetDateTime(2).toInstant(), row.getString(3)));
                    }
                    return entries;
                });
    }

    /** The end of the campaign's window as of {@code until}: its end, or {@code until} while it runs. */
    private static Instant windowEnd(Campaign campaign, Instant until) {
        return campaign.endAt().isBefore(until) ? campaign.endAt() : until;
    }

    /** The campaign's window as of {@code until}, [start, min(end, until)): $2 and $3 after the campaign id. */
    private static Tuple window(Campaign campaign, Instant until) {
        return Tuple.of(campaign.id(), campaign.startAt().atOffset(ZoneOffset.UTC),
                windowEnd(campaign, until).atOffset(ZoneOffset.UTC));
    }

    /**
     * The source of the order that purchase row {@code row} (a refund, a coupon redemption) names: the one
     * identity-service names (order_source: the order counted in place of one whose lines are all duplicates, a till's
     * copy of a delivery order); else the member's order of that order_id from the row's own source, else from another source, the first by source name (a delivery
     * order returned at the till, a till order whose coupon the CRM reports); the row's own source where no order of
     * that id is here. The order is source:order_id, as everywhere: a till's 1001 and the mini-program's 1001 of one
     * member are two orders. A scalar subquery, run only for the rows that ask (one index range of the member's lines).
     */
    static String orderSourceOf(String row) {
        // Spaced on both sides: text blocks drop the trailing space of the line it is appended to. order_source first:
        // identity-service named the order counted in place of the row's own (MemberEvent.counted_order), whose id is
        // then order_id; COALESCE evaluates no further.
        return " " + """
                coalesce(%1$s.order_source, (SELECT s.source FROM member_purchase s
                          WHERE s.member_id = %1$s.member_id AND s.order_id = %1$s.order_id AND s.kind = 'order'
                          ORDER BY s.source <> %1$s.source, s.source LIMIT 1), %1$s.source)""".formatted(row) + " ";
    }

    /**
     * The lines of the order that row mp names (the member's lines of that order_id from the source orderSourceOf
     * gives; none when it names no order or the order is not here), each beside the order's paid amount (null when 0)
     * and the margin of its lines with a rate, n numbering them from 1: what prices a refund without a rate and a
     * redeemed coupon at their order's rate, each line's share of the paid amount at its own rate, else its
     * category's, else the default. Columns category, amount, margin_rate, n, paid, rated, source; a LATERAL
     * subquery, alias o, after mp.
     */
    static final String ORDER_LINES = """
              SELECT o.category, o.amount, o.margin_rate, row_number() OVER () AS n,
                     nullif(sum(o.amount) OVER (), 0) AS paid, coalesce(sum(o.amount * o.margin_rate) OVER (), 0) AS rated,
                     o.source
              FROM member_purchase o
              WHERE o.member_id = mp.member_id AND o.order_id = mp.order_id AND o.kind = 'order'
                AND o.source = """ + orderSourceOf("mp") + "\n";

    /**
     * A CTE, standing (member_id, orders): how many orders each member of campaign $1 placed in [$2, $3) that stand,
     * their lines net of their refunds up to $3 above 0 (StandingOrders, the definition every query shares: a fully
     * refunded order is no purchase and converts nobody). One pass over the members' lines of the window, grouped by
     * order; a refund with no order in the window stands for nothing.
     */
    static final String STANDING_ORDERS = """
            standing AS (
              SELECT member_id, count(*) AS orders FROM (""" + StandingOrders.among("",
            "campaign_member cm JOIN member_purchase mp ON mp.member_id = cm.member_id AND mp.occurred_at >= $2 AND mp.occurred_at < $3",
            "cm.campaign_id = $1") + """
              ) placed
              GROUP BY member_id)
            """;

    /**
     * The statement of {@link #windows}: $1 the campaign id, $2 and $3 its window (public for
     * benchmark.CampaignResultsBenchmarkTest, which prints its plan).
     */
    public static final String WINDOWS = windowsStatement("", "");

    /**
     * {@link #WINDOWS} with each member's id and the segments they were in when enrolled (enrolments before V14: the
     * segments now), for next-targets; results read WINDOWS, whose plan this leaves as it was.
     */
    static final String WINDOWS_WITH_SEGMENTS = windowsStatement("""
            ,
                   cm.member_id,
                   coalesce(cm.segments_at_enrolment,
                            ARRAY(SELECT ms.segment_id FROM member_segment ms WHERE ms.member_id = cm.member_id))""",
            ", cm.segments_at_enrolment");

    /** The windows statement, with further per-member columns (each after a comma) and what they group by. */
    private static String windowsStatement(String memberColumns, String memberGrouping) {
        return "WITH " + STANDING_ORDERS + """
            SELECT cm.arm, cm.variant,
                   coalesce(st.orders, 0),
                   coalesce(sum(mp.amount) FILTER (WHERE mp.kind IN ('order', 'refund') AND coalesce(o.n, 1) = 1), 0),
                   coalesce(sum(mp.amount * coalesce(mp.margin_rate, o.rated / o.paid, 0))
                            FILTER (WHERE mp.kind IN ('order', 'refund') AND coalesce(o.n, 1) = 1), 0),
                   array_agg(unrated.category) FILTER (WHERE unrated.amount IS NOT NULL),
                   array_agg(unrated.amount) FILTER (WHERE unrated.amount IS NOT NULL)""" + memberColumns + """

            FROM campaign_member cm
            LEFT JOIN standing st ON st.member_id = cm.member_id
            LEFT JOIN member_purchase mp ON mp.member_id = cm.member_id
                 AND mp.occurred_at >= $2 AND mp.occurred_at < $3
            -- A refund without a rate: its order's lines (the member's, read once), each beside the order's paid amount
            -- and rated margin; the refund's row repeats beside each line, so its amount and margin count on the first.
            LEFT JOIN LATERAL (""" + ORDER_LINES + """
                AND mp.kind = 'refund' AND mp.margin_rate IS NULL) o ON true
            -- Amounts without a rate, with their category: an order line, or a refund whose order is not here, as it is
            -- (once); a refund of an order here spread over that order's lines without a rate by their paid amounts.
            CROSS JOIN LATERAL (SELECT
                CASE WHEN o.paid IS NOT NULL THEN o.category ELSE mp.category END AS category,
                CASE WHEN o.paid IS NOT NULL THEN CASE WHEN o.margin_rate IS NULL THEN mp.amount * o.amount / o.paid END
                     WHEN mp.kind IN ('order', 'refund') AND mp.margin_rate IS NULL AND coalesce(o.n, 1) = 1 THEN mp.amount
                END AS amount) unrated
            WHERE cm.campaign_id = $1
            GROUP BY cm.member_id, cm.arm, cm.variant, st.orders""" + memberGrouping;
    }

    /**
     * Each enrolled member's orders that stand (STANDING_ORDERS) and net revenue within the campaign window, and what prices its gross margin: the
     * margin of the lines priced at a rate of their own or of their category, and the revenue of the others (the
     * review prices it at the default rate). A line's margin_rate comes first, then its category's (categoryRates, read
     * here, when the review is asked for: a changed setting reprices every line, as a changed default does). A refund
     * without a rate of its own takes back margin at its order's rate (the member's lines of that order, as rfm-service
     * takes it back), so a refunded high-margin order leaves no margin behind: the share of the order's paid amount
     * with a rate at theirs, the share of each line without one at that line's category rate or the default; a refund
     * whose order is not here, at its own category's rate or the default. Each with the arm and variant the member was
     * enrolled with.
     */
    public Uni<List<CampaignReview.MemberWindow>> windows(Campaign campaign, Instant until,
            CategoryMarginRates categoryRates) {
        return pool.preparedQuery(WINDOWS)
                .execute(window(campaign, until))
                .map(rows -> {
                    List<CampaignReview.MemberWindow> windows = new ArrayList<>();
                    CategoryPricing pricing = new CategoryPricing(categoryRates);
                    for (Row row : rows) {
                        windows.add(memberWindow(row, pricing));
                    }
                    return windows;
                });
    }

    /** A member's window (windows) with who they are and the segments they were in when enrolled. */
    public record EnrolledWindow(String memberId, List<String> segments, CampaignReview.MemberWindow window) {
    }

    /** The windows of {@link #windows}, each with its member and the segments they were in when enrolled. */
    public Uni<List<EnrolledWindow>> enrolledWindows(Campaign campaign, Instant until, CategoryMarginRates categoryRates) {
        return pool.preparedQuery(WINDOWS_WITH_SEGMENTS)
                .execute(window(campaign, until))
                .map(rows -> {
                    List<EnrolledWindow> windows = new ArrayList<>();
                    CategoryPricing pricing = new CategoryPricing(categoryRates);
                    for (Row row : rows) {
                        windows.add(new EnrolledWindow(row.getString(7), List.of(row.getArrayOfStrings(8)),
                                memberWindow(row, pricing)));
                    }
                    return windows;
                });
    }

    /** The first columns of a windows row. */
    private static CampaignReview.MemberWindow memberWindow(Row row, CategoryPricing pricing) {
        CategoryPricing.Priced unrated = pricing.price(row.getArrayOfStrings(5), row.getArrayOfDoubles(6));
        return new CampaignReview.MemberWindow(Arm.valueOf(row.getString(0)), row.getLong(2).intValue(), row.getDouble(3),
                row.getDouble(4) + unrated.margin(), unrated.withoutRate(), row.getString(1));
    }

    /**
     * Whether outcome {@code o} of a call of campaign {@code c} falls within the campaign's window: recorded (by the
     * service's Clock, the "now" that also cuts results at min(end, now)) before its end_at. A call after the end is
     * not the campaign's: revenue and coupons are cut at the end, so its gain could never count, and it would only
     * bias the ROI down. This holds while the campaign is left LIVE past its end, until the background job moves it to
     * review (PlanCampaignsService.endCampaignsPastTheirEnd); a campaign moved to review early has its end_at moved
     * to the move and its OPEN tasks released, so none of its calls counts after that either.
     */
    static final String CALL_IN_WINDOW = "o.recorded_at < c.end_at";

    /** Calls made for the campaign within its window ({@link #CALL_IN_WINDOW}): reached or not, a call costs either way. */
    public Uni<Long> callsMade(String campaignId) {
        return pool.preparedQuery("""
                SELECT count(*) FROM task_outcome o JOIN call_task t ON t.id = o.task_id JOIN campaign c ON c.id = t.campaign_id
                WHERE t.campaign_id = $1 AND %s""".formatted(CALL_IN_WINDOW))
                .execute(Tuple.of(campaignId)).map(rows -> rows.iterator().next().getLong(0));
    }

    /**
     * The statement of {@link #couponsRedeemed}: $1 the campaign id, $2 and $3 its window. Each coupon once (its
     * report naming an order first, then the earliest), beside its order's lines (ORDER_LINES, as a refund without a
     * rate): the coupons, their orders' rates from lines with a rate (each coupon's on its first line), the coupons
     * whose order is not here or that name none, and the order lines without a rate, with their category and share
     * of their order's paid amount. Public for benchmark.CampaignResultsBenchmarkTest, which prints its plan.
     */
    public static final String COUPONS_REDEEMED = "SELECT" + couponFigures("");

    /** {@link #COUPONS_REDEEMED} per treated member: member_id, then the same columns. */
    static final String COUPONS_REDEEMED_BY_MEMBER = "SELECT mp.member_id," + couponFigures("GROUP BY mp.member_id");

    private static String couponFigures(String grouping) {
        return """
             count(*) FILTER (WHERE coalesce(o.n, 1) = 1),
                   coalesce(sum(o.rated / o.paid) FILTER (WHERE o.n = 1 AND NOT gone.in_full), 0),
                   count(*) FILTER (WHERE coalesce(o.n, 1) = 1 AND o.paid IS NULL),
                   array_agg(o.category) FILTER (WHERE o.paid IS NOT NULL AND o.margin_rate IS NULL AND NOT gone.in_full),
                   array_agg(o.amount / o.paid) FILTER (WHERE o.paid IS NOT NULL AND o.margin_rate IS NULL AND NOT gone.in_full),
                   count(*) FILTER (WHERE o.n = 1 AND gone.in_full)
            FROM (SELECT DISTINCT ON (coalesce('coupon/' || mp.coupon_id, mp.source || '/' || mp.event_id))
                         mp.member_id, mp.order_id, mp.source, mp.order_source
                  FROM member_activity mp JOIN campaign_member cm
                    ON cm.member_id = mp.member_id AND cm.campaign_id = $1 AND cm.arm = 'TREATED'
                  WHERE mp.kind = 'coupon_redeemed' AND mp.credited_campaign_id = $1
                    AND mp.occurred_at >= $2 AND mp.occurred_at < $3
                  ORDER BY coalesce('coupon/' || mp.coupon_id, mp.source || '/' || mp.event_id), mp.order_id IS NULL,
                           mp.occurred_at, mp.source, mp.event_id) mp
            LEFT JOIN LATERAL (""" + ORDER_LINES + """
            ) o ON true
            -- Whether the coupon's order was refunded in full by the window's end: its refunds (each under the order
            -- orderSourceOf gives it) take back all it paid. Read for the coupons' orders only.
            CROSS JOIN LATERAL (SELECT coalesce(o.paid + (SELECT sum(r.amount) FROM member_purchase r
                  WHERE r.member_id = mp.member_id AND r.order_id = mp.order_id AND r.kind = 'refund' AND r.occurred_at < $3
                    AND """ + orderSourceOf("r") + """
             = o.source) <= 0, false) AS in_full) gone
            """ + grouping;
    }

    /**
     * Coupons of this campaign redeemed by its treated members within its window (the same event-time window as
     * revenue's: a redemption after the end, the campaign left LIVE, costs it nothing, as its order counts nothing): each coupon
     * once, however many times its redemption was reported (a retry, two systems); a redemption that names no
     * campaign counts for the coupon's issuing one. With the margin rate of the order each was used on (its
     * order_id), priced as a refund without a rate is: the amount-weighted rate of the member's lines of that order,
     * each at its own rate, else its category's (categoryRates), else the default; a coupon whose order is not here,
     * or that names none (redemptions recorded before their order_id was, or from a channel that sends none), at the
     * default. A coupon whose order was refunded in full by the window's end (its refunds up to then take back all
     * its lines paid) is counted apart: its cost stays (the coupon was spent), but the sale it priced did not stand.
     */
    public Uni<CampaignReview.RedeemedCoupons> couponsRedeemed(Campaign campaign, Instant until,
            CategoryMarginRates categoryRates) {
        return pool.preparedQuery(COUPONS_REDEEMED)
                .execute(window(campaign, until))
                .map(rows -> redeemed(rows.iterator().next(), 0, new CategoryPricing(categoryRates)));
    }

    /** The coupons of {@link #couponsRedeemed} per treated member who redeemed any (the others redeemed none). */
    public Uni<Map<String, CampaignReview.RedeemedCoupons>> couponsRedeemedByMember(Campaign campaign, Instant until,
            CategoryMarginRates categoryRates) {
        return pool.preparedQuery(COUPONS_REDEEMED_BY_MEMBER)
                .execute(window(campaign, until)).map(rows -> {
                    CategoryPricing pricing = new CategoryPricing(categoryRates);
                    Map<String, CampaignReview.RedeemedCoupons> byMember = new HashMap<>();
                    for (Row row : rows) {
                        byMember.put(row.getString(0), redeemed(row, 1, pricing));
                    }
                    return byMember;
                });
    }

    /** The coupon columns of row, from column {@code first} on. */
    private static CampaignReview.RedeemedCoupons redeemed(Row row, int first, CategoryPricing pricing) {
        CategoryPricing.Priced unrated = pricing.price(row.getArrayOfStrings(first + 3), row.getArrayOfDoubles(first + 4));
        return new CampaignReview.RedeemedCoupons(row.getLong(first), row.getDouble(first + 1) + unrated.margin(),
                row.getLong(first + 2) + unrated.withoutRate(), row.getLong(first + 5));
    }

    static Campaign toDomain(CampaignEntity row) {
        List<String> variants = row.variants.isBlank() ? List.of() : List.of(row.variants.split(","));
        return new Campaign(row.id, row.name, new Target(row.targetSegmentId, row.targetMinProbability, row.targetStoreId),
                row.content, row.channel,
                row.offer, row.costPerTouch, row.couponValue, row.startAt, row.endAt, row.holdoutShare, variants,
                CampaignState.valueOf(row.state));
    }
}
