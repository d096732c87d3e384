package io.memberpulse.identity.store;

import io.memberpulse.identity.domain.EventKeys;
import java.time.Instant;

/**
 * One accepted event as stored: its key, member and the event's protobuf bytes; {@code duplicateOf}
 * names ("source:event_id") the report of an order line this one repeats (flagged as the duplicate), else
 * null; {@code deviceId} is the reporting device as given (only written, for identity health);
 * {@code repeatedBy} names the report flagged as repeating this one, read only with stored order lines.
 */
public record EventRow(String source, String eventId, String memberId, String type, Instant occurredAt,
        String storeId, String orderId, byte[] payload, String duplicateOf, String deviceId, String repeatedBy) {

    public EventRow(String source, String eventId, String memberId, String type, Instant occurredAt, String storeId,
            String orderId, byte[] payload, String duplicateOf, String deviceId) {
        this(source, eventId, memberId, type, occurredAt, storeId, orderId, payload, duplicateOf, deviceId, null);
    }

    /** The report this order line was paired with already (either way round), or null. */
    public String pairedWith() {
        return duplicateOf != null ? duplicateOf : repeatedBy;
    }

    /** This line as flagged repeating {@code original} ("source:event_id"). */
    public EventRow repeating(String original) {
        return new EventRow(source, eventId, memberId, type, occurredAt, storeId, orderId, payload, original, deviceId, null);
    }

    /** This line as repeated by {@code duplicate} ("source:event_id"), a report flagged as its copy. */
    public EventRow repeatedBy(String duplicate) {
        return new EventRow(source, eventId, memberId, type, occurredAt, storeId, orderId, payload, duplicateOf, deviceId,
                duplicate);
    }

    /** "source:event_id": how {@code duplicateOf} (and channel_event.duplicate_of) names an event. */
    public String reference() {
        return EventKeys.event(source, eventId);
    }
}
