package io.memberpulse.campaign.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A member's latest churn score (table member_risk). */
@Entity
@Table(name = "member_risk")
public class MemberRiskEntity extends PanacheEntityBase {
    @Id
    @Column(name = "member_id")
    public String memberId;

    @Column(name = "store_id")
    public String storeId;

    @Column(nullable = false)
    public double probability;

    @Column(name = "member_value", nullable = false)
    public double memberValue;

    @Column(name = "as_of", nullable = false)
    public Instant asOf;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
