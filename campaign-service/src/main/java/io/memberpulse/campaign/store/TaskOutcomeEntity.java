package io.memberpulse.campaign.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.time.LocalDate;

/** What staff recorded for a call (table task_outcome). */
@Entity
@Table(name = "task_outcome")
public class TaskOutcomeEntity extends PanacheEntityBase {
    @Id
    @Column(name = "task_id")
    public String taskId;

    @Column(name = "member_id", nullable = false)
    public String memberId;

    @Column(name = "store_id", nullable = false)
    public String storeId;

    @Column(nullable = false)
    public boolean reached;

    @Column(nullable = false)
    public String result;

    @Column(nullable = false)
    public String note;

    @Column(name = "follow_up_date")
    public LocalDate followUpDate;

    @Column(name = "recorded_at", nullable = false)
    public Instant recordedAt;

    @Column(name = "published_at")
    public Instant publishedAt;
}
