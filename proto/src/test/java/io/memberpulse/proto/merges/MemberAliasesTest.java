package io.memberpulse.proto.merges;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MemberAliasesTest {
    private static final Instant T1 = Instant.parse("2030-01-01T10:00:00Z");
    private static final Instant T2 = T1.plusSeconds(60);

    @Test
    void aSurvivorNobodyAbsorbedTakesTheFacts() {
        var landing = MemberAliases.landing(new IdentityChange.Merge("B", "A", T1), Optional.empty());
        assertThat(landing).isEqualTo(new MemberAliases.Landing("B", false));
        assertThat(landing.movesNothing(new IdentityChange.Merge("B", "A", T1))).isFalse();
    }

    @Test
    void aLaterMergeOfTheSurvivorThatArrivedFirstIsFollowed() {
        // A→B at T1 arrives after B→C at T2 (another partition): A's facts belong to C.
        var landing = MemberAliases.landing(new IdentityChange.Merge("B", "A", T1),
                Optional.of(new MemberAliases.Alias("B", "C", T2)));
        assertThat(landing).isEqualTo(new MemberAliases.Landing("C", false));
    }

    @Test
    void mergesOfOneImportShareTheirTimeAndAreFollowedToo() {
        var landing = MemberAliases.landing(new IdentityChange.Merge("B", "A", T1),
                Optional.of(new MemberAliases.Alias("B", "C", T1)));
        assertThat(landing.survivor()).isEqualTo("C");
    }

    @Test
    void aMergeIntoAMemberAbsorbedEarlierMakesItAMemberAgain() {
        // B was absorbed into C at T1; at T2 identity-service merges A into B: B lives again.
        var landing = MemberAliases.landing(new IdentityChange.Merge("B", "A", T2),
                Optional.of(new MemberAliases.Alias("B", "C", T1)));
        assertThat(landing).isEqualTo(new MemberAliases.Landing("B", true));
    }

    @Test
    void followingBackToTheAbsorbedMemberMovesNothing() {
        // B→A at T2 arrived before the older A→B at T1: everything is on A already.
        IdentityChange.Merge older = new IdentityChange.Merge("B", "A", T1);
        var landing = MemberAliases.landing(older, Optional.of(new MemberAliases.Alias("B", "A", T2)));
        assertThat(landing.survivor()).isEqualTo("A");
        assertThat(landing.movesNothing(older)).isTrue();
    }
}
