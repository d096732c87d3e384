package io.memberpulse.identity.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

@Entity
@Table(name = "member")
public class MemberEntity extends PanacheEntityBase {
    @Id
    public String id;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "merged_into")
    public String mergedInto;

    /** When the member was erased at the person's request (V22), else null. */
    @Column(name = "erased_at")
    public OffsetDateTime erasedAt;
}
