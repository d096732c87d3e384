package io.memberpulse.campaign.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * A member erased at their request, or a member merged into one (table erased_member, written by
 * IdentityChangeRepository): mapped so that batches recorded in Panache transactions can drop their facts.
 */
@Entity
@Table(name = "erased_member")
public class ErasedMemberEntity extends PanacheEntityBase {
    @Id
    @Column(name = "member_id")
    public String memberId;

    @Column(name = "erased_at", nullable = false)
    public Instant erasedAt;
}
