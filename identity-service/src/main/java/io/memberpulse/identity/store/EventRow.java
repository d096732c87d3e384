package io.memberpulse.identity.store;

import java.time.Instant;

/** One accepted event as stored: its key, member and the event's protobuf bytes. */
public record EventRow(String source, String eventId, String memberId, String type, Instant occurredAt,
        String storeId, String orderId, byte[] payload) {
}
