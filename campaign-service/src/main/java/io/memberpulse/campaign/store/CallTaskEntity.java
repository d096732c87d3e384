package io.memberpulse.campaign.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;

/** A call to make (table call_task). At most one OPEN task per member, enforced by a partial unique index. */
@Entity
@Table(name = "call_task")
public class CallTaskEntity extends PanacheEntityBase {
    public static final String OPEN = "OPEN";
    public static final String DONE = "DONE";
    public static final String CANCELLED = "CANCELLED";

    @Id
    public String id;

    @Column(name = "member_id", nullable = false)
    public String memberId;

    @Column(name = "store_id", nullable = false)
    public String storeId;

    /** The SOP rule that opened the task (domain.TaskOrigin). */
    @Column(nullable = false)
    public String origin;

    @Column(name = "campaign_id")
    public String campaignId;

    @Column(nullable = false)
    public double probability;

    @Column(name = "member_value", nullable = false)
    public double memberValue;

    @Column(name = "value_at_risk", nullable = false)
    public double valueAtRisk;

    @Column(nullable = false)
    public String status;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "due_at", nullable = false)
    public Instant dueAt;

    @Column(name = "closed_at")
    public Instant closedAt;

    @Column(name = "close_reason")
    public String closeReason;

    /** When the task was escalated for being overdue (null: not escalated). */
    @Column(name = "escalated_at")
    public Instant escalatedAt;

    /**
     * The store this OPEN task last moved from to the member's new home store, and when (null: it never moved): staff
     * of that store may still record the call within late-outcome-grace of the move (OutcomeRules.decide).
     */
    @Column(name = "moved_from_store_id")
    public String movedFromStoreId;

    @Column(name = "moved_at")
    public Instant movedAt;

    /**
     * False while the member had no churn score when the task was opened (a segment's call): probability and member
     * value are then unknown, stored as 0 so that the call ranks after the scored ones. A score makes it true.
     */
    @Column(nullable = false)
    public boolean scored = true;

    /** Optimistic lock: a status change made from a stale copy fails instead of overwriting. */
    @Version
    @Column(nullable = false)
    public long version;
}
