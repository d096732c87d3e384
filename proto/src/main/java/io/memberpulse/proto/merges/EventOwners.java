package io.memberpulse.proto.merges;

import io.memberpulse.proto.identity.v1.MemberEvent;
import java.util.List;
import java.util.Map;

/**
 * Puts the events of a member.events batch under the members they belong to now, from the owners each consuming
 * service looks up in its own database (proto.store.MemberOwnership.ownersOf): the member a MemberSplit gave the
 * event to, else the member it came under, and either way that member's final survivor when a merge absorbed it.
 * One rule, so rfm-, churn- and campaign-service file a moved event under the same member.
 */
public final class EventOwners {
    private EventOwners() {
    }

    /** The batch's events that name a member, as the owners' look-up takes them (events naming none stay as they are). */
    public static List<ArrivingEvent> arriving(List<MemberEvent> events) {
        return events.stream().filter(event -> !event.getMemberId().isEmpty()).map(ArrivingEvent::of).toList();
    }

    /**
     * The events in their order, each one found in owners under the member it belongs to; the others as they came.
     *
     * @param owners where arriving events belong when not with the member they came under (those that stay are absent)
     */
    public static List<MemberEvent> underOwners(List<MemberEvent> events, Map<ArrivingEvent, String> owners) {
        if (owners.isEmpty()) {
            return events;
        }
        return events.stream().map(event -> {
            String owner = event.getMemberId().isEmpty() ? null : owners.get(ArrivingEvent.of(event));
            return owner == null ? event : event.toBuilder().setMemberId(owner).build();
        }).toList();
    }
}
