package io.memberpulse.identity.store;

import java.time.Instant;

/**
 * One accepted event as stored: its key, member and the event's protobuf bytes; {@code duplicateOf}
 * names ("source:event_id") the first report of an order line reported twice, else null;
 * {@code deviceId} is the reporting device as given (only written, for identity health).
 */
public record EventRow(String source, String eventId, String memberId, String type, Instant occurredAt,
        String storeId, String orderId, byte[] payload, String duplicateOf, String deviceId) {

    /** "source:event_id": how {@code duplicateOf} (and channel_event.duplicate_of) names an event. */
    public String reference() {
        return source + ":" + eventId;
    }
}
