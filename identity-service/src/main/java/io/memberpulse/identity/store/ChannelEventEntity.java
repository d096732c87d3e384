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
@Table(name = "channel_event")
@IdClass(ChannelEventEntity.Key.class)
public class ChannelEventEntity extends PanacheEntityBase {
    @Id
    public String source;

    @Id
    @Column(name = "event_id")
    public String eventId;

    @Column(name = "member_id")
    public String memberId;

    @Column(nullable = false)
    public String type;

    @Column(name = "occurred_at", nullable = false)
    public OffsetDateTime occurredAt;

    @Column(name = "store_id")
    public String storeId;

    @Column(name = "order_id")
    public String orderId;

    @Column(nullable = false)
    public byte[] payload;

    @Column(name = "accepted_at", nullable = false)
    public OffsetDateTime acceptedAt;

    public static class Key implements Serializable {
        public String source;
        public String eventId;

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && Objects.equals(source, key.source) && Objects.equals(eventId, key.eventId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(source, eventId);
        }
    }
}
