package io.memberpulse.proto.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.merges.IdentityChange;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ErasedMembersTest {
    private static final Instant AT = Instant.parse("2026-12-08T00:00:00Z");

    /** FORGET_CHANGES_NAMING finds a member in a key by these spellings: a change of the keys' format must change it. */
    @Test
    void mergeAndSplitKeysNameTheirMembersAsTheForgettingStatementReadsThem() {
        assertThat(new IdentityChange.Merge("S", "A", AT).key()).startsWith("merge:A>").contains(">S@");
        assertThat(new IdentityChange.Split("O", List.of(new IdentityChange.Part("P", List.of())), AT).key())
                .startsWith("split:O@");
    }

    private static MemberEvent event(String eventId, String memberId) {
        return MemberEvent.newBuilder().setMemberId(memberId).setEvent(ChannelEvent.newBuilder().setEventId(eventId)).build();
    }

    @Test
    void anEventIsDroppedWhenTheMemberOwningItNowIsErasedWhateverItCameUnder() {
        // e1 came under A, absorbed by the erased S (owned by S now); e2 came under the erased E, but a split gave it to
        // P before the erasure: P's; e3 and e4 (no member) stay.
        var owned = List.of(event("e1", "S"), event("e2", "P"), event("e3", "B"), event("e4", ""));

        var kept = ErasedMembers.kept(owned, Set.of("S", "E"));

        assertThat(kept.events()).containsExactly(owned.get(1), owned.get(2), owned.get(3));
        assertThat(kept.dropped()).isEqualTo(1);
    }

    @Test
    void withNoErasedMemberTheOwnedEventsStayAsTheyAre() {
        var owned = List.of(event("e1", "S"));
        assertThat(ErasedMembers.kept(owned, Set.of())).isEqualTo(new ErasedMembers.Kept(owned, 0));
    }
}
