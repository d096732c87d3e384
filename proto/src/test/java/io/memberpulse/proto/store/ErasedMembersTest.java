package io.memberpulse.proto.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.proto.merges.IdentityChange;
import java.time.Instant;
import java.util.List;
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
}
