package io.memberpulse.campaign.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class MemberRiskTest {
    private static final Instant AS_OF = Instant.parse("2024-03-01T00:00:00Z");

    @Test
    void valueAtRiskIsProbabilityTimesValue() {
        assertThat(new MemberRisk("m", "s", 0.8, 412.0, AS_OF).valueAtRisk()).isCloseTo(329.6, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void aBlankStoreMeansNoStore() {
        assertThat(new MemberRisk("m", "  ", 0.8, 1.0, AS_OF).hasStore()).isFalse();
        assertThat(new MemberRisk("m", "  ", 0.8, 1.0, AS_OF).storeId()).isNull();
    }

    @Test
    void brokenScoresNameTheirField() {
        assertThatThrownBy(() -> new MemberRisk("", "s", 0.5, 1.0, AS_OF))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.field()).isEqualTo("member_id"));
        assertThatThrownBy(() -> new MemberRisk("m", "s", 1.2, 1.0, AS_OF))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.field()).isEqualTo("probability"));
        assertThatThrownBy(() -> new MemberRisk("m", "s", Double.NaN, 1.0, AS_OF))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.field()).isEqualTo("probability"));
        assertThatThrownBy(() -> new MemberRisk("m", "s", 0.5, Double.POSITIVE_INFINITY, AS_OF))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.field()).isEqualTo("member_value"));
    }
}
