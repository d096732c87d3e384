package io.memberpulse.identity.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CompactSetTest {

    @Test
    void behavesAsAHashSetThroughAddsRemovesAndGrowingPastTheArray() {
        Random random = new Random(5);
        for (int round = 0; round < 200; round++) {
            Set<String> compact = new CompactSet<>();
            Set<String> expected = new HashSet<>();
            int range = 1 + random.nextInt(30);
            for (int step = 0; step < 100; step++) {
                String value = "v" + random.nextInt(range);
                switch (random.nextInt(4)) {
                    case 0 -> assertThat(compact.remove(value)).isEqualTo(expected.remove(value));
                    case 1 -> {
                        compact.removeIf(v -> v.endsWith("3"));
                        expected.removeIf(v -> v.endsWith("3"));
                    }
                    default -> assertThat(compact.add(value)).isEqualTo(expected.add(value));
                }
                assertThat(compact).hasSameSizeAs(expected).containsExactlyInAnyOrderElementsOf(expected);
                assertThat(compact.contains(value)).isEqualTo(expected.contains(value));
            }
        }
    }

    @Test
    void anEmptySetIsEmpty() {
        Set<String> empty = new CompactSet<>();
        assertThat(empty).isEmpty();
        assertThat(empty.contains("x")).isFalse();
        assertThat(empty.remove("x")).isFalse();
    }
}
