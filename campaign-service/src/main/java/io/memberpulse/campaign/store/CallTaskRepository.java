package io.memberpulse.campaign.store;

import io.memberpulse.campaign.CampaignConfig;
import io.memberpulse.campaign.domain.CallTask;
import io.memberpulse.campaign.domain.CloseReason;
import io.memberpulse.campaign.domain.MemberRisk;
import io.memberpulse.campaign.domain.OpenTask;
import io.memberpulse.campaign.domain.OutcomeResult;
import io.memberpulse.campaign.domain.OutcomeRules;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/** Call tasks (call_task). Callers bring the session or transaction. */
@ApplicationScoped
public class CallTaskRepository implements PanacheRepositoryBase<CallTaskEntity, String> {
    private final Pool pool;
    private static final Sort RANKED = Sort.descending("valueAtRisk").and("dueAt").and("id");
    /** domain.CallList.OVERDUE_ORDER. */
    private static final Sort OVERDUE_FIRST = Sort.ascending("dueAt").and("valueAtRisk", Sort.Direction.Descending).and("id");
    /** Members scored in store ?1. */
    private static final String SCORED_IN_STORE = "select r.memberId from MemberRiskEntity r where r.storeId = ?1";
    /** The tasks whose outcome says the member was reached: a contact. */
    private static final String REACHED = "select o.taskId from TaskOutcomeEntity o where o.reached = true";
    /**
     * The cool-down's contact, for call task t: a call closed DONE (?2) at or after ?3 whose outcome says the member
     * was reached (a call nobody answered is no contact). The one rule of {@link #calledSince} and
     * {@link #storeMembersCalledSince}.
     */
    private static final String REACHED_SINCE = "t.status = ?2 and t.closedAt >= ?3 and t.id in (" + REACHED + ")";
    /**
     * For outcome o: the member was not reached and staff gave a follow-up date after the day ?2, so no rule calls
     * them before it. The one rule of {@link #awaitingFollowUp} and {@link #storeMembersAwaitingFollowUp}.
     */
    private static final String AWAITING_FOLLOW_UP = "o.reached = false and o.followUpDate > ?2";
    /**
     * Members merged into member ?1: their calls and opt-outs are the same person's, while their closed tasks and
     * outcomes stay under their own id for the campaigns they were enrolled in.
     */
    private static final String ABSORBED_BY = "select a.absorbedMemberId from MemberAliasEntity a where a.survivingMemberId = ?1";

    /** How long staff may still record a call cancelled under them (OutcomeRules.cancelledUnderStaff). */
    private final Duration lateOutcomeGrace;

    public CallTaskRepository(Pool pool, CampaignConfig config) {
        this.pool = pool;
        this.lateOutcomeGrace = config.campaign().lateOutcomeGrace();
    }

    public Uni<List<OpenTask>> openInStore(String storeId) {
        return list("storeId = ?1 and status = ?2", storeId, CallTaskEntity.OPEN)
                .map(rows -> rows.stream().map(EntityMapper::openTask).toList());
    }

    /**
     * The first {@code max} of a store's OPEN tasks in call-list order as of {@code now}: those overdue, longest
     * overdue first (ties: the largest value at risk, then id, as domain.CallList), then the largest value at risk first (index call_task_store_status_value). Bounded: a store with
     * thousands of open tasks (a backlog, a mass campaign) is never read, cached and sent whole. Two statements, each
     * in its own index order with its limit, where one ordering by "overdue or not" first would sort every open task
     * of the store before taking the first {@code max}.
     */
    public Uni<List<CallTask>> rankedOpen(String storeId, Instant now, int max) {
        return find("storeId = ?1 and status = ?2 and dueAt < ?3", OVERDUE_FIRST, storeId, CallTaskEntity.OPEN, now)
                .page(0, max).list()
                .flatMap(overdue -> overdue.size() >= max ? Uni.createFrom().item(overdue)
                        : find("storeId = ?1 and status = ?2 and dueAt >= ?3", RANKED, storeId, CallTaskEntity.OPEN, now)
                                .page(0, max - overdue.size()).list()
                                .map(rest -> {
                                    List<CallTaskEntity> all = new ArrayList<>(overdue);
                                    all.addAll(rest);
                                    return all;
                                }))
                .map(rows -> rows.stream().map(EntityMapper::callTask).toList());
    }

    /**
     * @param origin     the SOP rule that opens it (domain.TaskOrigin)
     * @param campaignId the live call campaign the call counts for, or null
     */
    public Uni<Void> open(MemberRisk member, Instant now, Instant dueAt, String origin, String campaignId) {
        return open(member, true, now, dueAt, origin, campaignId);
    }

    /** @param scored false: the member has no churn score yet, and member's probability and value (0) are unknown */
    public Uni<Void> open(MemberRisk member, boolean scored, Instant now, Instant dueAt, String origin, String campaignId) {
        CallTaskEntity row = new CallTaskEntity();
        row.scored = scored;
        row.origin = origin;
        row.campaignId = campaignId;
        row.id = UUID.randomUUID().toString();
        row.memberId = member.memberId();
        row.storeId = member.storeId();
        row.probability = member.probability();
        row.memberValue = member.memberValue();
        row.valueAtRisk = member.valueAtRisk();
        row.status = CallTaskEntity.OPEN;
        row.createdAt = now;
        row.dueAt = dueAt;
        return persist(row).replaceWithVoid();
    }

    /**
     * Re-ranks a kept task with the member's newer score. A bulk update on purpose: it leaves the
     * version alone, so staff holding the task can still record its outcome.
     */
    public Uni<Void> refresh(String taskId, MemberRisk member) {
        return update("probability = ?1, memberValue = ?2, valueAtRisk = ?3, scored = true where id = ?4",
                member.probability(), member.memberValue(), member.valueAtRisk(), taskId).replaceWithVoid();
    }

    /**
     * Another SOP rule takes over an OPEN task (domain.TaskPlan.Handover): its origin and due time change, and it
     * stays the same call. A bulk update on purpose, as {@link #refresh}: the version stays, so staff holding the
     * task can still record its outcome; campaign and escalation stay as they are.
     */
    public Uni<Void> handOver(String taskId, String origin, Instant dueAt) {
        return update("origin = ?1, dueAt = ?2 where id = ?3 and status = ?4", origin, dueAt, taskId, CallTaskEntity.OPEN)
                .replaceWithVoid();
    }

    /**
     * Treated members' OPEN tasks, in whichever store they are, now count for their live call campaign (a bulk update:
     * versions stay).
     */
    public Uni<Void> countFor(Map<String, String> campaignByMember) {
        Uni<Void> tagged = Uni.createFrom().voidItem();
        var byCampaign = campaignByMember.entrySet().stream().collect(Collectors.groupingBy(Map.Entry::getValue,
                Collectors.mapping(Map.Entry::getKey, Collectors.toList())));
        for (var entry : byCampaign.entrySet()) {
            tagged = tagged.chain(() -> update("campaignId = ?1 where status = ?2 and campaignId is null and memberId in ?3",
                    entry.getKey(), CallTaskEntity.OPEN, entry.getValue()).replaceWithVoid());
        }
        return tagged;
    }

    /**
     * The campaign ended: its OPEN tasks count for it no more (a call made after its review is not its effect, and a
     * call campaign live now claims them on its next replan). A bulk update: versions stay.
     */
    public Uni<Void> releaseFrom(String campaignId) {
        return update("campaignId = null where campaignId = ?1 and status = ?2", campaignId, CallTaskEntity.OPEN)
                .replaceWithVoid();
    }

    /**
     * Cancels the OPEN tasks of members a live call campaign holds out, in whichever store they are and whichever rule
     * opened them; returns the stores of the tasks cancelled. A bulk update that only touches tasks still OPEN, so
     * that two stores' planners cancelling the same call at once (the member is scored in one, called from the other)
     * both succeed without the other store's lock; the version moves, so an outcome sent for the call is refused.
     * Their tasks cancelled under staff (risk fell, left the segment) within late-outcome-grace are marked held out as
     * well, version moved: staff may no longer record that call late, it is the campaign's holdout (off every list
     * already, so no store's list changes). Flush the session first: its copies of these tasks are not updated.
     */
    public Uni<Set<String>> cancelHeldOut(Collection<String> memberIds, Instant now) {
        if (memberIds.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        OutcomeRules.CancelledUnderStaff underStaff = OutcomeRules.cancelledUnderStaff(now, lateOutcomeGrace);
        return update("closeReason = ?1, version = version + 1 where memberId in ?2 and status = ?3"
                + " and closeReason in ?4 and closedAt >= ?5", CloseReason.HELD_OUT.text(), memberIds,
                CallTaskEntity.CANCELLED, underStaff.closeReasons(), underStaff.closedSince())
                .chain(() -> find("memberId in ?1 and status = ?2", memberIds, CallTaskEntity.OPEN)
                        .project(TaskInStore.class).list())
                .flatMap(found -> found.isEmpty() ? Uni.createFrom().item(Set.<String>of())
                        : update("status = ?1, closedAt = ?2, closeReason = ?3, version = version + 1 where id in ?4 and status = ?5",
                                CallTaskEntity.CANCELLED, now, CloseReason.HELD_OUT.text(),
                                found.stream().map(TaskInStore::id).toList(), CallTaskEntity.OPEN)
                                .replaceWith(found.stream().map(TaskInStore::storeId).collect(Collectors.toSet())));
    }

    /** The member's OPEN tasks (at most one, by the partial unique index). */
    public Uni<List<OpenTask>> openOf(String memberId) {
        return list("memberId = ?1 and status = ?2", memberId, CallTaskEntity.OPEN)
                .map(rows -> rows.stream().map(EntityMapper::openTask).toList());
    }

    /** The stores of the members' OPEN tasks. */
    public Uni<Set<String>> openStoresOf(Collection<String> memberIds) {
        if (memberIds.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return find("memberId in ?1 and status = ?2", memberIds, CallTaskEntity.OPEN).project(TaskInStore.class).list()
                .map(rows -> rows.stream().map(TaskInStore::storeId).collect(Collectors.toSet()));
    }

    public Uni<String> storeOf(String taskId) {
        return findById(taskId).map(row -> row == null ? null : row.storeId);
    }

    /**
     * Whether the member (or one merged into them) was reached on a call since the instant, in any store (the
     * cool-down: a call nobody answered is no contact).
     */
    public Uni<Boolean> calledSince(String memberId, Instant since) {
        return count("from CallTaskEntity t where (t.memberId = ?1 or t.memberId in (" + ABSORBED_BY + ")) and "
                + REACHED_SINCE, memberId, CallTaskEntity.DONE, since).map(n -> n > 0);
    }

    /**
     * Whether the member (or one merged into them) was not reached on a call whose follow-up date is after the day:
     * staff asked to try again then, so no rule calls them before it.
     */
    public Uni<Boolean> awaitingFollowUp(String memberId, LocalDate today) {
        return TaskOutcomeEntity.count("from TaskOutcomeEntity o where (o.memberId = ?1 or o.memberId in ("
                + ABSORBED_BY + ")) and " + AWAITING_FOLLOW_UP, memberId, today).map(n -> n > 0);
    }

    /** Whether the member (or one merged into them) opted out on a call, in any store: no SOP rule calls them again. */
    public Uni<Boolean> optedOut(String memberId) {
        return TaskOutcomeEntity.count("(memberId = ?1 or memberId in (" + ABSORBED_BY + ")) and result = ?2", memberId,
                OutcomeResult.OPTED_OUT.name()).map(n -> n > 0);
    }

    /** Members scored in the store who opted out on a call, in any store, themselves or as a member merged into them. */
    public Uni<Set<String>> storeMembersOptedOut(String storeId) {
        return scoredInStore(storeId, "select o.memberId from TaskOutcomeEntity o where o.result = ?2",
                OutcomeResult.OPTED_OUT.name());
    }

    /**
     * The version moves by one (the entity's optimistic lock): within late-outcome-grace, staff may still record a
     * call cancelled for risk fell or left the segment with the version they hold (OutcomeRules.decide).
     */
    public Uni<Void> cancel(String taskId, CloseReason reason, Instant now) {
        return findById(taskId).invoke(row -> {
            row.status = CallTaskEntity.CANCELLED;
            row.closedAt = now;
            row.closeReason = reason.text();
        }).replaceWithVoid();
    }

    /** The stores where these members' OPEN tasks sit (read before taking their planning locks). */
    public Uni<Set<String>> storesOfOpenTasks(Collection<String> memberIds) {
        if (memberIds.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return find("memberId in ?1 and status = ?2", memberIds, CallTaskEntity.OPEN).project(TaskInStore.class).list()
                .map(rows -> rows.stream().map(TaskInStore::storeId).collect(Collectors.toSet()));
    }

    /**
     * The member's OPEN task follows them to their new home store, keeping the store it left and when (the version
     * moves by one, the entity's optimistic lock: within late-outcome-grace, staff of the store it left may still record
     * the call with the version their list carried, OutcomeRules.decide); without a home store there is no store
     * to call from, so it is cancelled. Returns the store the task left, or null when there was none.
     */
    public Uni<String> follow(MemberRisk member, Instant now) {
        return find("memberId = ?1 and status = ?2", member.memberId(), CallTaskEntity.OPEN).firstResult()
                .map(row -> {
                    if (row == null) {
                        return null;
                    }
                    String left = row.storeId;
                    if (member.hasStore()) {
                        if (!member.storeId().equals(left)) {
                            row.storeId = member.storeId();
                            row.movedFromStoreId = left;
                            row.movedAt = now;
                        }
                    } else {
                        row.status = CallTaskEntity.CANCELLED;
                        row.closedAt = now;
                        row.closeReason = CloseReason.NO_HOME_STORE.text();
                    }
                    return left;
                });
    }

    /**
     * Members scored in the store whose OPEN task sits in another store (a segment rule opened it in their home
     * store of most orders before churn-service scored them elsewhere): one OPEN task per member, wherever it is.
     */
    public Uni<Set<String>> storeMembersOpenElsewhere(String storeId) {
        return find("status = ?2 and storeId <> ?1 and memberId in (" + SCORED_IN_STORE + ")", storeId, CallTaskEntity.OPEN)
                .project(MemberOnly.class).list()
                .map(rows -> rows.stream().map(MemberOnly::memberId).collect(Collectors.toSet()));
    }

    /**
     * Members scored in the store who were reached on a call at or after the instant, in any store (the SOP's
     * cool-down: a member who moved was called all the same; one nobody answered was not), themselves or as a member
     * merged into them.
     */
    public Uni<Set<String>> storeMembersCalledSince(String storeId, Instant since) {
        return scoredInStore(storeId, "select t.memberId from CallTaskEntity t where " + REACHED_SINCE,
                CallTaskEntity.DONE, since);
    }

    /** Members scored in the store not reached on a call whose follow-up date is after the day, in any store. */
    public Uni<Set<String>> storeMembersAwaitingFollowUp(String storeId, LocalDate today) {
        return scoredInStore(storeId, "select o.memberId from TaskOutcomeEntity o where " + AWAITING_FOLLOW_UP, today);
    }

    /**
     * Members scored in store ?1 whom the query selects (its parameters from ?2 on), themselves or as a member
     * merged into them: one query for both.
     */
    private static Uni<Set<String>> scoredInStore(String storeId, String selected, Object... parameters) {
        Object[] all = new Object[parameters.length + 1];
        all[0] = storeId;
        System.arraycopy(parameters, 0, all, 1, parameters.length);
        return MemberRiskEntity.find("storeId = ?1 and (memberId in (" + selected + ") or memberId in ("
                        + "select a.survivingMemberId from MemberAliasEntity a where a.absorbedMemberId in (" + selected + ")))", all)
                .project(MemberOnly.class).list()
                .map(rows -> rows.stream().map(MemberOnly::memberId).collect(Collectors.toSet()));
    }

    /** OPEN tasks past their due time, oldest first, that nobody escalated yet. */
    /**
     * Marks the OPEN tasks past their due time and not yet escalated as escalated, in one statement, and returns the
     * ones it marked (longest overdue first). Of two replicas whose ticks overlap, the second's statement waits for the
     * first's row locks and then finds those rows marked: each task is escalated, logged and counted once. A bulk
     * update: the version stays, so staff holding the task can still record its outcome.
     */
    public Uni<List<CallTask>> escalateOverdue(Instant now) {
        return pool.preparedQuery("""
                UPDATE call_task SET escalated_at = $1
                WHERE status = 'OPEN' AND due_at < $1 AND escalated_at IS NULL
                RETURNING id, member_id, store_id, campaign_id, probability, member_value, value_at_risk, created_at,
                          due_at, version, scored""")
                .execute(Tuple.of(now.atOffset(ZoneOffset.UTC)))
                .map(rows -> {
                    List<CallTask> escalated = new ArrayList<>();
                    for (Row row : rows) {
                        escalated.add(new CallTask(row.getString("id"), row.getString("member_id"), row.getString("store_id"),
                                row.getString("campaign_id"), row.getDouble("probability"), row.getDouble("member_value"),
                                row.getDouble("value_at_risk"), row.getOffsetDateTime("created_at").toInstant(),
                                row.getOffsetDateTime("due_at").toInstant(), row.getLong("version"))
                                .scored(row.getBoolean("scored")));
                    }
                    escalated.sort(Comparator.comparing(CallTask::dueAt));
                    return escalated;
                });
    }

    public Uni<Long> countOverdue(Instant now) {
        return count("status = ?1 and dueAt < ?2", CallTaskEntity.OPEN, now);
    }

    @io.quarkus.runtime.annotations.RegisterForReflection
    public record MemberOnly(String memberId) {
    }

    @io.quarkus.runtime.annotations.RegisterForReflection
    public record TaskInStore(String id, String storeId) {
    }

    public Uni<Long> countOpen() {
        return count("status", CallTaskEntity.OPEN);
    }
}
