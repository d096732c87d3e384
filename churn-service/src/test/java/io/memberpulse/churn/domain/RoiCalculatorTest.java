package io.memberpulse.churn.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RoiCalculatorTest {

    @Test
    void reproducesTheAutomatedCareExampleOfTheDomain() {
        // 100,000 members, top 20%, ¥0.25 touch + ¥2 coupon, win-back +8%, ¥60 per won-back member.
        var result = RoiCalculator.calculate(new RoiCalculator.Inputs(100_000, 0.20, 0.25, 2.0, 0.08, 60));
        assertThat(result.targeted()).isEqualTo(20_000);
        assertThat(result.cost()).isCloseTo(45_000, within(1e-6));
        assertThat(result.gain()).isCloseTo(96_000, within(1e-6));
        assertThat(result.roi()).isCloseTo(2.13, within(0.005));
    }

    @Test
    void reproducesTheHumanInterventionExampleOfTheDomain() {
        // ¥6 per call for the top 10% of 100,000 = 10,000 members, net uplift ¥50 per member.
        var result = RoiCalculator.calculate(new RoiCalculator.Inputs(100_000, 0.10, 6, 0, 1.0, 50));
        assertThat(result.targeted()).isEqualTo(10_000);
        assertThat(result.cost()).isCloseTo(60_000, within(1e-6));
        assertThat(result.gain()).isCloseTo(500_000, within(1e-6));
        assertThat(result.roi()).isCloseTo(8.3, within(0.05));
    }

    @Test
    void refusesImpossibleInputsNamingTheField() {
        assertThatThrownBy(() -> new RoiCalculator.Inputs(1000, 1.5, 1, 0, 0.1, 10))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("risk_share"));
        assertThatThrownBy(() -> new RoiCalculator.Inputs(1000, 0.2, 0, 0, 0.1, 10))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("touch_cost"));
        // Infinite amounts (gRPC doubles as sent, JSON 1e999) would give an infinite cost or a NaN gain with 200 OK.
        assertThatThrownBy(() -> new RoiCalculator.Inputs(1000, 0.2, Double.POSITIVE_INFINITY, 0, 0.1, 10))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("touch_cost"));
        assertThatThrownBy(() -> new RoiCalculator.Inputs(1000, 0.2, 1, Double.NaN, 0.1, 10))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("coupon_cost"));
        assertThatThrownBy(() -> new RoiCalculator.Inputs(1000, 0.2, 1, 0, 0, Double.POSITIVE_INFINITY))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.field()).isEqualTo("net_value_per_won_back"));
    }
}
