package io.memberpulse.proto.merges;

import io.memberpulse.proto.identity.v1.MemberEvent;

/** A member event as it arrived: its key (source as stored) and the member it came under. */
public record ArrivingEvent(String source, String eventId, String memberId) {
    public static ArrivingEvent of(MemberEvent event) {
        return new ArrivingEvent(IdentityChange.EventKey.sourceOf(event.getEvent()), event.getEvent().getEventId(),
                event.getMemberId());
    }
}
