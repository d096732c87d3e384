package io.memberpulse.campaign.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;

@Entity
@Table(name = "campaign")
public class CampaignEntity extends PanacheEntityBase {
    @Id
    public String id;
    @Column(nullable = false)
    public String name;
    @Column(name = "target_min_probability", nullable = false)
    public double targetMinProbability;
    @Column(name = "target_segment_id")
    public String targetSegmentId;
    @Column(name = "target_store_id")
    public String targetStoreId;
    @Column(nullable = false)
    public String content;
    @Column(nullable = false)
    public String channel;
    @Column(nullable = false)
    public String offer;
    @Column(name = "cost_per_touch", nullable = false)
    public double costPerTouch;
    @Column(name = "coupon_value", nullable = false)
    public double couponValue;
    @Column(name = "start_at", nullable = false)
    public Instant startAt;
    @Column(name = "end_at", nullable = false)
    public Instant endAt;
    @Column(name = "holdout_share", nullable = false)
    public double holdoutShare;
    /** Comma-separated variant names. */
    @Column(nullable = false)
    public String variants;
    @Column(nullable = false)
    public String state;
    /** The latest state whose follow-ups all ran (see PlanCampaignsService); behind state while they have not. */
    @Column(name = "followed_up_state", nullable = false)
    public String followedUpState;
    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
    @Version
    @Column(nullable = false)
    public long version;
}
