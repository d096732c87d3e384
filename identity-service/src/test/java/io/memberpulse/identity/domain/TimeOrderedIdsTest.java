package io.memberpulse.identity.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TimeOrderedIdsTest {
    @Test
    void isAVersion7UuidWhoseTextSortsByMillisecond() {
        UUID earlier = TimeOrderedIds.of(1_764_800_000_000L, -1L, -1L);
        UUID later = TimeOrderedIds.of(1_764_800_000_001L, 0L, 0L);
        assertThat(earlier.version()).isEqualTo(7);
        assertThat(earlier.variant()).isEqualTo(2);
        assertThat(later.version()).isEqualTo(7);
        assertThat(later.variant()).isEqualTo(2);
        // all random bits set in the earlier one and none in the later: the time still decides
        assertThat(earlier.toString()).isLessThan(later.toString());
        assertThat(earlier.getMostSignificantBits() >>> 16).isEqualTo(1_764_800_000_000L);
    }

    @Test
    void idsOfOneMillisecondDiffer() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = TimeOrderedIds.next();
            assertThat(UUID.fromString(id).version()).isEqualTo(7);
            ids.add(id);
        }
        assertThat(ids).hasSize(10_000);
    }
}
