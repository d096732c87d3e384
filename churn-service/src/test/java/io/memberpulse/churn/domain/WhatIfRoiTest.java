package io.memberpulse.churn.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class WhatIfRoiTest {

    @Test
    void gainOfTheTopShareFollowsTheMeasuredLift() {
        // 10,000 members, top 20%, ¥0.25 touch + ¥2 coupon, ¥60 per won-back member, 8% of touched churners stay;
        // churn rate 40%, lift 2 at 20%: 2,000 targeted, 1,600 of them churners, 128 won back.
        var result = WhatIfRoi.calculate(new WhatIfRoi.Inputs(10_000, 0.2, 0.25, 2, 60, 0.08),
                new WhatIfRoi.Measured("hand-made", 0.4, 2.0));
        assertThat(result.targeted()).isEqualTo(2_000);
        assertThat(result.expectedChurnersTargeted()).isCloseTo(1_600, within(1e-9));
        assertThat(result.expectedWonBack()).isCloseTo(128, within(1e-9));
        assertThat(result.gain()).isCloseTo(7_680, within(1e-9));
        assertThat(result.cost()).isCloseTo(4_500, within(1e-9));
        assertThat(result.roi()).isCloseTo(7_680 / 4_500.0, within(1e-9));
        // The same 2,000 drawn at random hold 800 churners: 64 won back, ¥3,840.
        assertThat(result.randomTargetingGain()).isCloseTo(3_840, within(1e-9));
        assertThat(result.randomTargetingRoi()).isCloseTo(3_840 / 4_500.0, within(1e-9));
        assertThat(result.source()).isEqualTo("hand-made");
    }

    @Test
    void aListCannotHoldMoreChurnersThanMembers() {
        // churn rate 60% × lift 2 would be 120% churners among the targeted: capped at all of them.
        var result = WhatIfRoi.calculate(new WhatIfRoi.Inputs(1_000, 0.1, 1, 0, 10, 0.5),
                new WhatIfRoi.Measured("capped", 0.6, 2.0));
        assertThat(result.expectedChurnersTargeted()).isCloseTo(100, within(1e-9));
        assertThat(result.gain()).isCloseTo(100 * 0.5 * 10, within(1e-9));
        assertThat(result.roi()).isCloseTo(5, within(1e-9));
    }

    @Test
    void badInputNamesItsField() {
        assertThatThrownBy(() -> new WhatIfRoi.Inputs(100, 0, 1, 0, 10, 0.1))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("topShare"));
        assertThatThrownBy(() -> new WhatIfRoi.Inputs(100, 0.2, 1, 0, 10, 1.5))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("baseWinBack"));
        assertThatThrownBy(() -> new WhatIfRoi.Inputs(100, 0.2, 0, 0, 10, 0.1))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("touchCost"));
    }
}
