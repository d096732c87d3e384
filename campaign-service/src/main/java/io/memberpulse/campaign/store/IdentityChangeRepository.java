package io.memberpulse.campaign.store;

import io.memberpulse.campaign.domain.CloseReason;
import io.memberpulse.proto.merges.ArrivingEvent;
import io.memberpulse.proto.merges.IdentityChange;
import io.memberpulse.proto.merges.MemberAliases;
import io.memberpulse.proto.store.ErasedMembers;
import io.memberpulse.proto.store.MemberOwnership;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Applies MemberMerged / MemberSplit to what campaign-service keeps per member, in one transaction with the
 * record that the change was applied, and keeps the alias of every absorbed member so facts arriving later
 * under its id follow it.
 *
 * <p>On a merge of A into its final survivor S: at most one OPEN call task per person. When S has an OPEN
 * task, A's are cancelled ({@link CloseReason#MERGED}); when S has none, A's OPEN task becomes S's (same task
 * id, due time, escalation and version, so the call already on a list keeps its SOP deadline and staff holding
 * it can still record its outcome), follows S's home store when S has a score (then, as a move of home store does, it
 * keeps the store it left and when, and its version moves by one: staff of that store may still record the call they
 * made, OutcomeRules.decide), and no longer counts for a
 * campaign A was enrolled in (the caller's replan tags it again if S is treated in a live call campaign).
 * A's score (member_risk), phone (masked and full) and member number become S's where S has none (A's store stays a known store); A's
 * purchase lines and coupons become S's; A's segment memberships go (rfm-service publishes the survivor's own).
 * A's closed tasks and outcomes and A's campaign enrolments stay under A.
 *
 * <p>A MemberSplit gives each part the purchase lines, coupons, phone and member number recorded from the events it gives
 * that part, wherever a merge had moved them: a phone and coupons of the absorbed person left with the survivor
 * after a false merge was undone would have staff call that person about the survivor's purchases. The member that
 * loses its phone so shows none until its next event reports one (its own older phone was overwritten, not kept).
 * Phones and coupons recorded before their event was kept (V19) stay where they are. The split also keeps the
 * member it gave each event to (split_event_owner), so that events it moved which member.events delivers only after
 * it, still under the original member, go to that part ({@link #ownersOf}).
 *
 * <p>A MemberErased (IdentityChange.Erasure) erases the member, the members merged into it and those this service
 * knows as aliases of them ({@link #erase}); every id is remembered in erased_member, and a merge or split naming one
 * later (a replay) moves nothing.
 */
@ApplicationScoped
public class IdentityChangeRepository {
    /**
     * The advisory lock of "identity changes against recording" in campaign-service's database. Applying a
     * change takes it exclusively (one change at a time across replicas: the consumer group may give A→B and B→C
     * to two of them); recording a batch of member.events, member.segments or churn.scores takes it shared
     * ({@link #inRecordingTransaction}, {@link #lockedSurvivorsOf}), so that no change is applied between the
     * batch's look-up of where its facts belong and its writes. All take it before any store planning lock
     * ({@link StoreLocks}), never after one.
     */
    public static final long IDENTITY_CHANGE_LOCK = 0x6361_6d70_5f69_6400L; // "camp_id"

    private final Pool pool;
    private final MemberOwnership ownership;

    public IdentityChangeRepository(Pool pool) {
        this.pool = pool;
        this.ownership = new MemberOwnership(pool, IDENTITY_CHANGE_LOCK);
    }

    /**
     * @param applied     false when the change was applied before (a re-delivery), or names an erased member: nothing moved
     * @param stores      the stores whose call lists may have changed, and where the members now stand: to replan
     * @param namesErased a merge or split not applied because it names an erased member
     */
    public record Applied(boolean applied, Set<String> stores, boolean namesErased) {
        public Applied(boolean applied, Set<String> stores) {
            this(applied, stores, false);
        }
    }

    /** Applies the change once. */
    public Uni<Applied> apply(IdentityChange change, Instant now) {
        if (change instanceof IdentityChange.Erasure erasure) {
            return pool.withTransaction(connection -> ownership.lockExclusively(connection)
                    .chain(() -> erasedAmong(connection, erasure.membersNamed()))
                    .chain(erased -> erased.containsAll(erasure.membersNamed())
                            ? storesErasedFrom(connection, erased).map(stores -> new Applied(false, stores))
                            : erase(connection, erasure, now).map(stores -> new Applied(true, stores))));
        }
        return pool.withTransaction(connection -> ownership.lockExclusively(connection)
                .chain(() -> erasedAmong(connection, change.membersNamed()))
                .chain(erased -> erased.isEmpty() ? applyOnce(connection, change, now)
                        // Its key is not kept either: it would name the erased member.
                        : Uni.createFrom().item(new Applied(false, Set.of(), true))));
    }

    private Uni<Applied> applyOnce(SqlConnection connection, IdentityChange change, Instant now) {
        return Uni.createFrom().voidItem()
                .chain(() -> connection.preparedQuery(
                        "INSERT INTO identity_change_applied (change_key, applied_at) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                        .execute(Tuple.of(change.key(), now.atOffset(ZoneOffset.UTC))))
                .chain(marked -> marked.rowCount() == 0
                        ? survivorsOf(connection, change.membersNamed())
                                .chain(survivors -> storesOf(connection, standing(change.membersNamed(), survivors)))
                                .map(stores -> new Applied(false, stores))
                        : move(connection, change, now).map(stores -> new Applied(true, stores)));
    }

    /**
     * Erases the members (the erasure's and the aliases that point at them), returning the stores whose call lists held
     * or may hold them. Their OPEN calls are cancelled (the stores' replan that follows fills the freed capacity); their
     * score, segments, phones, member numbers, aliases and applied-change keys are deleted. What campaign
     * results count stays, each member's id replaced by one surrogate ("erased-" + a random UUID): enrolments, overlap
     * exclusions, calls and outcomes (the staff's note cleared; one not yet published never is), phone reveals, and,
     * for a member enrolled in a campaign, purchase lines and coupons (a campaign's revenue, cost and ROI read them by
     * the enrolled id; their event and order ids become pseudonyms; a member never enrolled has theirs deleted), and the events a split gave them. Every id, and
     * every surrogate (nothing may be recorded under one: an event a split gave the member lands there), is kept in
     * erased_member.
     */
    private static Uni<Set<String>> erase(SqlConnection connection, IdentityChange.Erasure erasure, Instant now) {
        var at = now.atOffset(ZoneOffset.UTC);
        return connection.preparedQuery("""
                SELECT absorbed_member_id FROM member_alias WHERE surviving_member_id = ANY($1) OR absorbed_member_id = ANY($1)""")
                .execute(Tuple.of(erasure.membersNamed().toArray(String[]::new)))
                .chain(aliases -> {
                    Set<String> members = new TreeSet<>(erasure.membersNamed());
                    aliases.forEach(row -> members.add(row.getString(0)));
                    String[] ids = members.toArray(String[]::new);
                    String[] surrogates = members.stream().map(id -> "erased-" + UUID.randomUUID()).toArray(String[]::new);
                    Tuple only = Tuple.of(ids);
                    Tuple rekeyed = Tuple.of(ids, surrogates);
                    Set<String> stores = new TreeSet<>();
                    return storesOf(connection, members).invoke(stores::addAll)
                            .chain(() -> lockStores(connection, stores))
                            .chain(() -> connection.preparedQuery("""
                                    UPDATE call_task SET status = 'CANCELLED', closed_at = $2, close_reason = $3, version = version + 1
                                    WHERE member_id = ANY($1) AND status = 'OPEN' RETURNING store_id""")
                                    .execute(Tuple.of(ids, at, CloseReason.ERASED.text())))
                            .invoke(cancelled -> cancelled.forEach(row -> stores.add(row.getString(0))))
                            // A scored member's store stays a known store (its call list answers) when none is left.
                            .chain(() -> update(connection, """
                                    INSERT INTO known_store (store_id, first_seen)
                                    SELECT store_id, as_of FROM member_risk WHERE member_id = ANY($1) AND store_id IS NOT NULL
                                    ON CONFLICT DO NOTHING""", only))
                            .chain(() -> update(connection, "DELETE FROM member_risk WHERE member_id = ANY($1)", only))
                            .chain(() -> update(connection, "DELETE FROM member_segment WHERE member_id = ANY($1)", only))
                            .chain(() -> update(connection, "DELETE FROM member_contact WHERE member_id = ANY($1)", only))
                            .chain(() -> update(connection, "DELETE FROM member_number WHERE member_id = ANY($1)", only))
                            .chain(() -> update(connection, """
                                    DELETE FROM member_alias WHERE absorbed_member_id = ANY($1) OR surviving_member_id = ANY($1)""",
                                    only))
                            // Keys of merges and splits applied before name the member (merge:A>S@t, split:O@t): a
                            // replay of one is dropped by erased_member instead.
                            .chain(() -> update(connection, ErasedMembers.FORGET_CHANGES_NAMING, only))
                            // Purchases and coupons count for a campaign the member is enrolled in: kept, anonymised.
                            .chain(() -> update(connection, """
                                    DELETE FROM member_purchase p WHERE p.member_id = ANY($1) AND NOT EXISTS
                                      (SELECT 1 FROM campaign_member m WHERE m.member_id = p.member_id)""", only))
                            .chain(() -> update(connection, """
                                    DELETE FROM member_coupon c WHERE c.member_id = ANY($1) AND NOT EXISTS
                                      (SELECT 1 FROM campaign_member m WHERE m.member_id = c.member_id)""", only))
                            // Their channel keys go too (an order or event id may spell the member): each order id
                            // becomes one pseudonym, so lines, refunds and redemptions of one order stay one order.
                            .chain(() -> update(connection, """
                                    WITH orders AS (SELECT order_id, 'erased-' || gen_random_uuid() AS pseudonym
                                      FROM (SELECT DISTINCT order_id FROM member_purchase
                                            WHERE member_id = ANY($1) AND order_id IS NOT NULL) o)
                                    UPDATE member_purchase p SET order_id = orders.pseudonym FROM orders
                                    WHERE p.member_id = ANY($1) AND p.order_id = orders.order_id""", only))
                            .chain(() -> update(connection, """
                                    UPDATE member_purchase SET event_id = 'erased-' || gen_random_uuid()
                                    WHERE member_id = ANY($1)""", only))
                            .chain(() -> update(connection,
                                    "UPDATE member_coupon SET event_id = NULL WHERE member_id = ANY($1)", only))
                            .chain(() -> rekey(connection, "member_purchase", rekeyed))
                            .chain(() -> rekey(connection, "member_coupon", rekeyed))
                            .chain(() -> rekey(connection, "campaign_member", rekeyed))
                            .chain(() -> rekey(connection, "campaign_overlap_exclusion", rekeyed))
                            .chain(() -> rekey(connection, "call_task", rekeyed))
                            .chain(() -> rekey(connection, "contact_reveal", rekeyed))
                            // Events a split gave the member that arrive later under another id go to the surrogate,
                            // which erased_member holds too: they are dropped.
                            .chain(() -> rekey(connection, "split_event_owner", rekeyed))
                            // An outcome the relay has not published yet is not: it would go out under the surrogate.
                            .chain(() -> update(connection, """
                                    UPDATE task_outcome t SET member_id = e.surrogate, note = '',
                                      published_at = coalesce(t.published_at, $3)
                                    FROM unnest($1::text[], $2::text[]) AS e (id, surrogate) WHERE t.member_id = e.id""",
                                    Tuple.of(ids, surrogates, at)))
                            .chain(() -> update(connection, """
                                    INSERT INTO erased_member (member_id, erased_at) SELECT unnest($1::text[] || $2::text[]), $3
                                    ON CONFLICT DO NOTHING""", Tuple.of(ids, surrogates, at)))
                            .replaceWith(stores);
                });
    }

    /**
     * The stores of the calls the erasure of the members cancelled (closed when they were erased): a redelivery replans
     * them again, finishing a replan or cache invalidation that failed after the erasure committed.
     */
    private static Uni<Set<String>> storesErasedFrom(SqlConnection connection, Set<String> members) {
        return connection.preparedQuery("""
                SELECT DISTINCT store_id FROM call_task WHERE close_reason = $2
                  AND closed_at IN (SELECT erased_at FROM erased_member WHERE member_id = ANY($1))""")
                .execute(Tuple.of(members.toArray(String[]::new), CloseReason.ERASED.text()))
                .map(rows -> {
                    Set<String> stores = new TreeSet<>();
                    rows.forEach(row -> stores.add(row.getString(0)));
                    return stores;
                });
    }

    /** The table's member ids ($1) replaced by their surrogates ($2). */
    private static Uni<Void> rekey(SqlConnection connection, String table, Tuple rekeyed) {
        return update(connection, "UPDATE " + table + " t SET member_id = e.surrogate"
                + " FROM unnest($1::text[], $2::text[]) AS e (id, surrogate) WHERE t.member_id = e.id", rekeyed);
    }

    /** The members among the given ones that were erased, read with the client (a recording transaction's connection). */
    public Uni<Set<String>> erasedAmong(SqlClient client, Collection<String> memberIds) {
        return ErasedMembers.among(client, memberIds);
    }

    /**
     * {@link #erasedAmong} in the caller's Panache transaction, after {@link #lockedSurvivorsOf} took the identity-change
     * lock: no erasure commits between this answer and the transaction's writes.
     */
    public Uni<Set<String>> lockedErasedAmong(Collection<String> memberIds) {
        if (memberIds.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return ErasedMemberEntity.<ErasedMemberEntity>list("memberId in ?1", memberIds.stream().distinct().toList())
                .map(erased -> erased.stream().map(member -> member.memberId).collect(Collectors.toCollection(TreeSet::new)));
    }

    /**
     * The members and the final survivors of those absorbed: a merge delivered again after a crash that came between
     * its move and the replan may have moved tasks and risk on to a later survivor (A→B applied after B→C: A's are
     * C's), whose stores are replanned too.
     */
    private static Set<String> standing(Set<String> members, Map<String, String> survivors) {
        Set<String> standing = new TreeSet<>(members);
        standing.addAll(survivors.values());
        return standing;
    }

    private static Uni<Set<String>> move(SqlConnection connection, IdentityChange change, Instant now) {
        if (change instanceof IdentityChange.Merge merge) {
            return merge(connection, merge, now);
        }
        if (change instanceof IdentityChange.Erasure erasure) {
            return erase(connection, erasure, now);
        }
        return split(connection, (IdentityChange.Split) change);
    }

    private static Uni<Set<String>> merge(SqlConnection connection, IdentityChange.Merge merge, Instant now) {
        return connection.preparedQuery("""
                SELECT absorbed_member_id, surviving_member_id, merged_at FROM member_alias WHERE absorbed_member_id = $1""")
                .execute(Tuple.of(merge.survivingMemberId()))
                .map(rows -> {
                    var found = rows.iterator();
                    return found.hasNext() ? Optional.of(toAlias(found.next())) : Optional.<MemberAliases.Alias>empty();
                })
                .chain(survivorsAlias -> {
                    MemberAliases.Landing landing = MemberAliases.landing(merge, survivorsAlias);
                    if (landing.movesNothing(merge)) {
                        return storesOf(connection, merge.membersNamed());
                    }
                    String absorbed = merge.absorbedMemberId();
                    String survivor = landing.survivor();
                    Tuple ids = Tuple.of(survivor, absorbed);
                    Uni<Void> moves = landing.dropSurvivorsAlias()
                            ? update(connection, "DELETE FROM member_alias WHERE absorbed_member_id = $1",
                                    Tuple.of(merge.survivingMemberId()))
                            : Uni.createFrom().voidItem();
                    return moves
                            .chain(() -> update(connection, """
                                    INSERT INTO member_alias (absorbed_member_id, surviving_member_id, merged_at)
                                    VALUES ($2, $1, $3) ON CONFLICT (absorbed_member_id) DO UPDATE
                                    SET surviving_member_id = EXCLUDED.surviving_member_id, merged_at = EXCLUDED.merged_at""",
                                    Tuple.of(survivor, absorbed, merge.at().atOffset(ZoneOffset.UTC))))
                            // Members absorbed earlier by the absorbed one now point at the survivor too.
                            .chain(() -> update(connection,
                                    "UPDATE member_alias SET surviving_member_id = $1 WHERE surviving_member_id = $2", ids))
                            .chain(() -> connection.query("DELETE FROM member_alias WHERE absorbed_member_id = surviving_member_id")
                                    .execute().replaceWithVoid())
                            // The call lists of both members' stores are replanned under their locks: wait for them.
                            .chain(() -> storesOf(connection, Set.of(survivor, absorbed)))
                            .chain(before -> lockStores(connection, before)
                                    .chain(() -> moveFacts(connection, ids, absorbed))
                                    .chain(() -> moveOpenTasks(connection, survivor, absorbed, now))
                                    .chain(left -> storesOf(connection, Set.of(survivor)).map(after -> {
                                        Set<String> stores = new TreeSet<>(before);
                                        stores.addAll(left);
                                        stores.addAll(after);
                                        return stores;
                                    })));
                });
    }

    /** $1 the survivor, $2 the absorbed member. */
    private static Uni<Void> moveFacts(SqlConnection connection, Tuple ids, String absorbed) {
        Tuple absorbedOnly = Tuple.of(absorbed);
        // The absorbed member's store stays a known store (its call list answers, empty) when it has no member left.
        return update(connection, """
                INSERT INTO known_store (store_id, first_seen)
                SELECT store_id, as_of FROM member_risk WHERE member_id = $1 AND store_id IS NOT NULL
                ON CONFLICT DO NOTHING""", absorbedOnly)
                .chain(() -> update(connection, """
                        INSERT INTO member_risk (member_id, store_id, probability, member_value, as_of, updated_at)
                        SELECT $1, store_id, probability, member_value, as_of, updated_at FROM member_risk WHERE member_id = $2
                        ON CONFLICT (member_id) DO NOTHING""", ids))
                .chain(() -> update(connection, "DELETE FROM member_risk WHERE member_id = $1", absorbedOnly))
                .chain(() -> moveLatest(connection, LatestReported.PHONE, ids))
                .chain(() -> moveLatest(connection, LatestReported.MEMBER_NO, ids))
                .chain(() -> update(connection, "UPDATE member_purchase SET member_id = $1 WHERE member_id = $2", ids))
                .chain(() -> update(connection, "UPDATE member_coupon SET member_id = $1 WHERE member_id = $2", ids))
                .chain(() -> update(connection, "DELETE FROM member_segment WHERE member_id = $1", absorbedOnly));
    }

    /**
     * A member's latest reported value, one row per member with the event that reported it: the phone (masked, and
     * full where reported unmasked, which must move with it: a full phone left behind would be revealed for the wrong
     * person) and the member number.
     */
    private enum LatestReported {
        PHONE("member_contact", "masked_phone, phone"),
        MEMBER_NO("member_number", "member_no");

        final String table;
        final String values;

        LatestReported(String table, String values) {
            this.table = table;
            this.values = values;
        }

        /** "col = EXCLUDED.col, …" for the values and their event. */
        String excluded() {
            return Arrays.stream((values + ", seen_at, source, event_id").split(", "))
                    .map(column -> column + " = EXCLUDED." + column).collect(Collectors.joining(", "));
        }
    }

    /** The absorbed member's ($2) value becomes the survivor's ($1) where the survivor has none. */
    private static Uni<Void> moveLatest(SqlConnection connection, LatestReported kind, Tuple ids) {
        String columns = kind.values + ", seen_at, source, event_id";
        return update(connection, "INSERT INTO " + kind.table + " (member_id, " + columns + ") SELECT $1, " + columns
                + " FROM " + kind.table + " WHERE member_id = $2 ON CONFLICT (member_id) DO NOTHING", ids)
                .chain(() -> update(connection, "DELETE FROM " + kind.table + " WHERE member_id = $1",
                        Tuple.of(ids.getString(1))));
    }

    /** The values reported by the events ($2 sources, $3 event ids) go to the part ($1), the newer kept. */
    private static Uni<Void> takeBack(SqlConnection connection, LatestReported kind, Tuple keys) {
        String columns = kind.values + ", seen_at, source, event_id";
        return update(connection, "WITH taken AS (DELETE FROM " + kind.table
                + " WHERE (source, event_id) IN (SELECT * FROM unnest($2::text[], $3::text[])) AND member_id <> $1"
                + " RETURNING " + columns + ") INSERT INTO " + kind.table + " (member_id, " + columns + ") SELECT $1, "
                + columns + " FROM taken ORDER BY seen_at DESC LIMIT 1 ON CONFLICT (member_id) DO UPDATE SET "
                + kind.excluded() + " WHERE " + kind.table + ".seen_at <= EXCLUDED.seen_at", keys);
    }

    /** One OPEN task for the person: the survivor's own, else the absorbed member's. Returns the stores left. */
    private static Uni<Set<String>> moveOpenTasks(SqlConnection connection, String survivor, String absorbed, Instant now) {
        return connection.preparedQuery("SELECT count(*) FROM call_task WHERE member_id = $1 AND status = 'OPEN'")
                .execute(Tuple.of(survivor))
                .map(rows -> rows.iterator().next().getLong(0) > 0)
                .chain(survivorHasOne -> survivorHasOne
                        ? connection.preparedQuery("""
                                UPDATE call_task SET status = 'CANCELLED', closed_at = $2, close_reason = $3, version = version + 1
                                WHERE member_id = $1 AND status = 'OPEN' RETURNING store_id""")
                                .execute(Tuple.of(absorbed, now.atOffset(ZoneOffset.UTC), CloseReason.MERGED.text()))
                        : connection.preparedQuery("""
                                UPDATE call_task t SET member_id = $1, campaign_id = NULL, store_id = moved.store_id,
                                  moved_from_store_id = CASE WHEN moved.store_id <> before.store_id THEN before.store_id
                                    ELSE t.moved_from_store_id END,
                                  moved_at = CASE WHEN moved.store_id <> before.store_id THEN $3 ELSE t.moved_at END,
                                  version = t.version + CASE WHEN moved.store_id <> before.store_id THEN 1 ELSE 0 END
                                FROM call_task before, LATERAL (SELECT coalesce(
                                  (SELECT r.store_id FROM member_risk r WHERE r.member_id = $1), before.store_id) AS store_id) moved
                                WHERE before.id = t.id AND t.member_id = $2 AND t.status = 'OPEN'
                                RETURNING before.store_id""")
                                .execute(Tuple.of(survivor, absorbed, now.atOffset(ZoneOffset.UTC))))
                .map(rows -> {
                    Set<String> left = new TreeSet<>();
                    rows.forEach(row -> left.add(row.getString(0)));
                    return left;
                });
    }

    private static Uni<Set<String>> split(SqlConnection connection, IdentityChange.Split split) {
        Uni<Void> moves = Uni.createFrom().voidItem();
        for (IdentityChange.Part part : split.parts()) {
            // A part that is a member absorbed earlier is its own member again: its new facts stay with it.
            moves = moves.chain(() -> update(connection, "DELETE FROM member_alias WHERE absorbed_member_id = $1",
                    Tuple.of(part.memberId())));
            if (part.eventKeys().isEmpty()) {
                continue;
            }
            String[] sources = part.eventKeys().stream().map(IdentityChange.EventKey::source).toArray(String[]::new);
            String[] eventIds = part.eventKeys().stream().map(IdentityChange.EventKey::eventId).toArray(String[]::new);
            // Purchase lines are kept per (source, event_id): those go back, wherever they are now.
            moves = moves.chain(() -> update(connection, """
                    UPDATE member_purchase SET member_id = $1
                    WHERE (source, event_id) IN (SELECT * FROM unnest($2::text[], $3::text[]))""",
                    Tuple.of(part.memberId(), sources, eventIds)));
            // So are coupons, by the event that issued them.
            moves = moves.chain(() -> update(connection, """
                    UPDATE member_coupon SET member_id = $1
                    WHERE (source, event_id) IN (SELECT * FROM unnest($2::text[], $3::text[])) AND member_id <> $1""",
                    Tuple.of(part.memberId(), sources, eventIds)));
            // A phone or member number reported by one of these events leaves whoever holds it; the part keeps the newer.
            Tuple keys = Tuple.of(part.memberId(), sources, eventIds);
            moves = moves.chain(() -> takeBack(connection, LatestReported.PHONE, keys))
                    .chain(() -> takeBack(connection, LatestReported.MEMBER_NO, keys));
            // The events not consumed yet arrive under the original member: ownersOf sends them here.
            moves = moves.chain(() -> update(connection, """
                    INSERT INTO split_event_owner (source, event_id, member_id)
                    SELECT source, event_id, $1 FROM unnest($2::text[], $3::text[]) AS k (source, event_id)
                    ON CONFLICT (source, event_id) DO UPDATE SET member_id = EXCLUDED.member_id""",
                    Tuple.of(part.memberId(), sources, eventIds)));
        }
        return moves.chain(() -> storesOf(connection, split.membersNamed()));
    }

    /** The stores of the members' OPEN tasks and scores. */
    private static Uni<Set<String>> storesOf(SqlConnection connection, Collection<String> members) {
        return connection.preparedQuery("""
                SELECT store_id FROM call_task WHERE member_id = ANY($1) AND status = 'OPEN'
                UNION SELECT store_id FROM member_risk WHERE member_id = ANY($1) AND store_id IS NOT NULL""")
                .execute(Tuple.of(members.toArray(String[]::new)))
                .map(rows -> {
                    Set<String> stores = new TreeSet<>();
                    rows.forEach(row -> stores.add(row.getString(0)));
                    return stores;
                });
    }

    /** The stores' planning locks (StoreLocks' keys), sorted, for the rest of the transaction. */
    private static Uni<Void> lockStores(SqlConnection connection, Set<String> sortedStores) {
        return Multi.createFrom().iterable(List.copyOf(sortedStores))
                .onItem().transformToUniAndConcatenate(store -> connection
                        .preparedQuery("SELECT count(*) FROM (SELECT pg_advisory_xact_lock(hashtext($1))) locked")
                        .execute(Tuple.of("call-list:" + store)))
                .collect().last().replaceWithVoid();
    }

    private static Uni<Void> update(SqlConnection connection, String sql, Tuple arguments) {
        return connection.preparedQuery(sql).execute(arguments).replaceWithVoid();
    }

    private static MemberAliases.Alias toAlias(Row row) {
        return new MemberAliases.Alias(row.getString(0), row.getString(1), row.getOffsetDateTime(2).toInstant());
    }

    /**
     * Runs the work in one transaction that holds the identity-change lock shared: no identity change is applied
     * while it runs, so what {@link #ownersOf} answers inside it still holds when the work's inserts commit (a
     * split or merge applied meanwhile would move the rows it knows of, but not these). Batches recording events
     * do not wait for one another.
     */
    public <T> Uni<T> inRecordingTransaction(Function<SqlConnection, Uni<T>> work) {
        return ownership.inRecordingTransaction(work);
    }

    /**
     * {@link #inRecordingTransaction} for work done in the caller's Panache (Hibernate Reactive) transaction: takes
     * the identity-change lock shared for the rest of that transaction, then answers the final survivor of each
     * given member a merge absorbed (members not absorbed are absent). What it answers still holds when the
     * transaction commits. Call it first: before any store planning lock.
     */
    public Uni<Map<String, String>> lockedSurvivorsOf(Collection<String> memberIds) {
        Uni<Void> locked = Panache.getSession().flatMap(session -> session
                .createNativeQuery(ownership.sharedLockStatement()).getSingleResult()).replaceWithVoid();
        if (memberIds.isEmpty()) {
            return locked.replaceWith(Map.of());
        }
        return locked.chain(() -> MemberAliasEntity.<MemberAliasEntity>list("absorbedMemberId in ?1",
                        memberIds.stream().distinct().toList()))
                .map(aliases -> aliases.stream().collect(Collectors.toMap(alias -> alias.absorbedMemberId,
                        alias -> alias.survivingMemberId)));
    }

    /** Where arriving events belong when not with the member they came under (MemberOwnership.ownersOf). */
    public Uni<Map<ArrivingEvent, String>> ownersOf(SqlClient client, Collection<ArrivingEvent> events) {
        return MemberOwnership.ownersOf(client, events);
    }

    /**
     * The final survivor of each given id that was absorbed by a merge (ids not absorbed are absent), read with the
     * client: the connection of {@link #inRecordingTransaction}, for an answer that holds until it commits.
     */
    public Uni<Map<String, String>> survivorsOf(SqlClient client, Collection<String> memberIds) {
        return MemberOwnership.survivorsOf(client, memberIds);
    }
}
