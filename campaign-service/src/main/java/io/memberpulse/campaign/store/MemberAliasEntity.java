package io.memberpulse.campaign.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * A member absorbed by a merge and its final survivor (table member_alias, written by IdentityChangeRepository).
 * Mapped so that the call rules can count the absorbed member's calls and opt-outs as the survivor's: one person.
 */
@Entity
@Table(name = "member_alias")
public class MemberAliasEntity extends PanacheEntityBase {
    @Id
    @Column(name = "absorbed_member_id")
    public String absorbedMemberId;

    @Column(name = "surviving_member_id", nullable = false)
    public String survivingMemberId;

    @Column(name = "merged_at", nullable = false)
    public Instant mergedAt;
}
