package io.memberpulse.rfm.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdentityChangeTest {
    static final Instant AT = Instant.parse("2024-05-01T00:00:00Z");

    @Test
    void eventKeysReadSourceAndEventIdWhateverTheSpellingOfTheSource() {
        assertThat(EventKey.parse("pos:e-1")).isEqualTo(new EventKey("pos", "e-1"));
        assertThat(EventKey.parse("SOURCE_MINIAPP:a:b")).isEqualTo(new EventKey("miniapp", "a:b"));
        assertThatThrownBy(() -> EventKey.parse("pos")).isInstanceOf(InvalidIdentityChangeException.class)
                .hasMessageContaining("event_keys");
        assertThatThrownBy(() -> EventKey.parse("pos:")).isInstanceOf(InvalidIdentityChangeException.class);
        assertThatThrownBy(() -> EventKey.parse(":e")).isInstanceOf(InvalidIdentityChangeException.class);
    }

    @Test
    void aMergeNeedsTwoDifferentMembersAndIsKeyedByWhatItDoes() {
        var merge = new IdentityChange.Merge("a", "b", AT);
        assertThat(merge.membersInvolved()).containsExactly("a", "b");
        assertThat(merge.key()).isEqualTo(new IdentityChange.Merge("a", "b", AT).key())
                .isNotEqualTo(new IdentityChange.Merge("b", "a", AT).key());
        assertThatThrownBy(() -> new IdentityChange.Merge("a", "a", AT)).hasMessageContaining("absorbed_member_id");
        assertThatThrownBy(() -> new IdentityChange.Merge("", "a", AT)).hasMessageContaining("surviving_member_id");
    }

    @Test
    void aSplitNeedsPartsAndGivesEachEventToOneMemberOnly() {
        var key = new EventKey("pos", "e1");
        var split = new IdentityChange.Split("a", List.of(new IdentityChange.Part("a", List.of(key)),
                new IdentityChange.Part("c", List.of(new EventKey("pos", "e2")))), AT);
        assertThat(split.membersInvolved()).containsExactly("a", "c");
        assertThatThrownBy(() -> new IdentityChange.Split("a", List.of(), AT)).hasMessageContaining("parts");
        assertThatThrownBy(() -> new IdentityChange.Split("a", List.of(new IdentityChange.Part("a", List.of(key)),
                new IdentityChange.Part("c", List.of(key))), AT)).hasMessageContaining("pos:e1");
    }
}
