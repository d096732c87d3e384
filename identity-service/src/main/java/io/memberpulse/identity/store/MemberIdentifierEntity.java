package io.memberpulse.identity.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.OffsetDateTime;
import java.util.Objects;

@Entity
@Table(name = "member_identifier")
@IdClass(MemberIdentifierEntity.Key.class)
public class MemberIdentifierEntity extends PanacheEntityBase {
    @Id
    public String type;

    @Id
    public String value;

    @Column(name = "member_id", nullable = false)
    public String memberId;

    @Column(name = "first_seen", nullable = false)
    public OffsetDateTime firstSeen;

    @Column(name = "last_seen", nullable = false)
    public OffsetDateTime lastSeen;

    public static class Key implements Serializable {
        public String type;
        public String value;

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && Objects.equals(type, key.type) && Objects.equals(value, key.value);
        }

        @Override
        public int hashCode() {
            return Objects.hash(type, value);
        }
    }
}
