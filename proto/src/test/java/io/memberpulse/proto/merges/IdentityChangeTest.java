package io.memberpulse.proto.merges;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.Source;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class IdentityChangeTest {
    private static final Instant AT = Instant.parse("2030-01-01T10:00:00Z");

    @Test
    void eventKeysReadAsChurnStoresTheirSource() {
        assertThat(IdentityChange.EventKey.parse("pos:e-1")).isEqualTo(new IdentityChange.EventKey("pos", "e-1"));
        assertThat(IdentityChange.EventKey.parse("SOURCE_MINIAPP:o:7")).isEqualTo(new IdentityChange.EventKey("miniapp", "o:7"));
        for (String bad : new String[] {"pos", ":e-1", "pos:", " :e"}) {
            assertThatThrownBy(() -> IdentityChange.EventKey.parse(bad)).isInstanceOfSatisfying(InvalidIdentityChange.class,
                    e -> assertThat(e.field()).isEqualTo("split.parts.event_keys"));
        }
    }

    @Test
    void sourcesAreSpelledAsTheServicesStoreThemWhetherFromAKeyOrFromTheEnum() {
        for (Source source : new Source[] {Source.SOURCE_POS, Source.SOURCE_MINIAPP, Source.SOURCE_ECOMMERCE}) {
            String stored = IdentityChange.EventKey.normalSource(source.name());
            assertThat(stored).isEqualTo(source.name().substring("SOURCE_".length()).toLowerCase(Locale.ROOT));
            assertThat(IdentityChange.EventKey.parse(source.name() + ":e-1").source()).isEqualTo(stored);
        }
        assertThat(IdentityChange.EventKey.normalSource(" Pos ")).isEqualTo("pos");
    }

    @Test
    void anEventsSourceIsStoredByItsNameAndOneThisBuildDoesNotKnowByItsNumber() {
        ChannelEvent pos = ChannelEvent.newBuilder().setSource(Source.SOURCE_POS).setEventId("e-1").build();
        assertThat(IdentityChange.EventKey.sourceOf(pos)).isEqualTo("pos");
        // channels added to the enum after this build: two of them stay two sources
        ChannelEvent newer = pos.toBuilder().setSourceValue(90).build();
        ChannelEvent newest = pos.toBuilder().setSourceValue(91).build();
        assertThat(IdentityChange.EventKey.sourceOf(newer)).isEqualTo("unknown_90");
        assertThat(IdentityChange.EventKey.sourceOf(newest)).isEqualTo("unknown_91");
    }

    @Test
    void aMergeNamesTwoDifferentMembers() {
        IdentityChange.Merge merge = new IdentityChange.Merge("S", "A", AT);
        assertThat(merge.membersNamed()).containsExactly("S", "A");
        assertThat(merge.key()).isEqualTo("merge:A>S@2030-01-01T10:00:00Z");
        assertThatThrownBy(() -> new IdentityChange.Merge("S", "S", AT)).isInstanceOfSatisfying(InvalidIdentityChange.class,
                e -> assertThat(e.field()).isEqualTo("merged.absorbed_member_id"));
        assertThatThrownBy(() -> new IdentityChange.Merge("", "A", AT)).isInstanceOfSatisfying(InvalidIdentityChange.class,
                e -> assertThat(e.field()).isEqualTo("merged.surviving_member_id"));
    }

    @Test
    void aSplitGivesEachEventToOneMember() {
        var key = new IdentityChange.EventKey("pos", "e-1");
        IdentityChange.Split split = new IdentityChange.Split("O", List.of(new IdentityChange.Part("P", List.of(key))), AT);
        assertThat(split.membersNamed()).containsExactly("O", "P");
        assertThat(split.key()).isEqualTo("split:O@2030-01-01T10:00:00Z");
        assertThatThrownBy(() -> new IdentityChange.Split("O", List.of(new IdentityChange.Part("P", List.of(key)),
                new IdentityChange.Part("Q", List.of(key))), AT)).isInstanceOfSatisfying(InvalidIdentityChange.class,
                        e -> assertThat(e.getMessage()).contains("pos:e-1"));
        assertThatThrownBy(() -> new IdentityChange.Split("O", List.of(), AT)).isInstanceOf(InvalidIdentityChange.class);
    }
}
