package io.memberpulse.churn.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ChurnScoreTest {

    private final ChurnScore rhythm = new ChurnScore("member-1", 0.3, "rhythm", Instant.parse("2026-03-01T00:00:00Z"),
            90, "store-1", 250.0, 40.0, 21.0);

    @Test
    void withModelReplacesProbabilityAndVersionAndKeepsTheExplanation() {
        assertThat(rhythm.withModel(0.8, "xgb-7")).isEqualTo(new ChurnScore("member-1", 0.8, "xgb-7",
                Instant.parse("2026-03-01T00:00:00Z"), 90, "store-1", 250.0, 40.0, 21.0));
    }

    @Test
    void withModelRejectsAProbabilityOutsideZeroToOne() {
        assertThatThrownBy(() -> rhythm.withModel(1.5, "xgb-7")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("probability");
    }
}
