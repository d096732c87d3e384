package io.memberpulse.proto.merges;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.Source;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventOwnersTest {
    private static MemberEvent event(Source source, String eventId, String memberId) {
        return MemberEvent.newBuilder().setMemberId(memberId)
                .setEvent(ChannelEvent.newBuilder().setSource(source).setEventId(eventId)).build();
    }

    @Test
    void theLookUpTakesEachEventThatNamesAMemberByItsStoredSource() {
        var events = List.of(event(Source.SOURCE_POS, "e1", "A"), event(Source.SOURCE_APP, "e2", ""));
        assertThat(EventOwners.arriving(events)).containsExactly(new ArrivingEvent("pos", "e1", "A"));
    }

    @Test
    void anEventWithAnOwnerMovesToItAndTheOthersStayInOrder() {
        var moved = event(Source.SOURCE_POS, "e1", "A");
        var stays = event(Source.SOURCE_POS, "e2", "A");
        var noMember = event(Source.SOURCE_APP, "e3", "");
        var owners = Map.of(new ArrivingEvent("pos", "e1", "A"), "C");

        var placed = EventOwners.underOwners(List.of(moved, stays, noMember), owners);

        assertThat(placed).extracting(MemberEvent::getMemberId).containsExactly("C", "A", "");
        assertThat(placed.get(0).getEvent()).isEqualTo(moved.getEvent());
        assertThat(placed.subList(1, 3)).containsExactly(stays, noMember);
    }

    @Test
    void anOwnerIsFoundOnlyForTheSameSourceEventAndMember() {
        // Another channel's event with the same id, or the same event arriving under another member, is not the one
        // the look-up answered for.
        var otherSource = event(Source.SOURCE_APP, "e1", "A");
        var otherMember = event(Source.SOURCE_POS, "e1", "B");
        var owners = Map.of(new ArrivingEvent("pos", "e1", "A"), "C");

        assertThat(EventOwners.underOwners(List.of(otherSource, otherMember), owners))
                .extracting(MemberEvent::getMemberId).containsExactly("A", "B");
    }
}
