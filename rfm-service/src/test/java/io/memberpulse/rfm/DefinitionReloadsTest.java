package io.memberpulse.rfm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A computation reloads the segment definitions DEFINITION_RELOADS times, and gives up at the change after. */
class DefinitionReloadsTest {

    @Test
    void reloadsAsManyTimesAsAllowedThenGivesUpAtTheNextChange() {
        DefinitionReloads reloads = new DefinitionReloads("a test");
        int[] reloaded = {0};
        for (int change = 1; change <= SegmentDefinitions.DEFINITION_RELOADS; change++) {
            reloads.reloadAfterChange(() -> reloaded[0]++);
        }
        assertThat(reloaded[0]).isEqualTo(SegmentDefinitions.DEFINITION_RELOADS).isEqualTo(10);

        assertThatThrownBy(() -> reloads.reloadAfterChange(() -> reloaded[0]++))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("11 times during a test");
        assertThat(reloaded[0]).as("no reload when giving up").isEqualTo(10);
    }

    @Test
    void eachComputationCountsItsOwn() {
        DefinitionReloads first = new DefinitionReloads("one");
        for (int change = 1; change <= SegmentDefinitions.DEFINITION_RELOADS; change++) {
            first.reloadAfterChange(() -> { });
        }
        int[] reloaded = {0};
        new DefinitionReloads("another").reloadAfterChange(() -> reloaded[0]++);
        assertThat(reloaded[0]).isEqualTo(1);
    }
}
