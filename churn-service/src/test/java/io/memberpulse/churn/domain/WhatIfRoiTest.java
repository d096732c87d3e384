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
    void domainExampleOneThroughTheWhatIfGivesDomainsGainOnceItsRateIsPerChurner() {
        // DOMAIN.md example 1: 100,000 members, top 20%, ¥0.25 + ¥2, win-back +8% per targeted member, ¥60.
        // A model with churn rate 25% and lift 2.1 at 20%: 52.5% of the targeted churn, so DOMAIN's 8% of the
        // targeted is 8% / 52.5% = 15.24% of the targeted churners.
        double perChurner = WhatIfRoi.winBackPerChurner(0.08, 0.25 * 2.1);
        assertThat(perChurner).isCloseTo(0.08 / 0.525, within(1e-12));
        var domain = WhatIfRoi.calculate(new WhatIfRoi.Inputs(100_000, 0.2, 0.25, 2, 60, perChurner),
                new WhatIfRoi.Measured("DOMAIN example 1", 0.25, 2.1));
        assertThat(domain.targeted()).isEqualTo(20_000);
        assertThat(domain.cost()).isCloseTo(45_000, within(1e-6));
        assertThat(domain.gain()).isCloseTo(96_000, within(1e-6));
        assertThat(domain.roi()).isCloseTo(2.13, within(0.005));
        assertThat(domain.winBackPerTargeted()).isCloseTo(0.08, within(1e-12));
        // the same gain as POST /roi's per-targeted definition
        assertThat(domain.gain()).isCloseTo(
                RoiCalculator.calculate(new RoiCalculator.Inputs(100_000, 0.2, 0.25, 2, 0.08, 60)).gain(), within(1e-6));
        // 8% given as the per-churner rate is another campaign: 20,000 × 52.5% × 8% × ¥60 = ¥50,400, ROI 1.12
        var eightPerChurner = WhatIfRoi.calculate(new WhatIfRoi.Inputs(100_000, 0.2, 0.25, 2, 60, 0.08),
                new WhatIfRoi.Measured("8% of the churners", 0.25, 2.1));
        assertThat(eightPerChurner.gain()).isCloseTo(50_400, within(1e-6));
        assertThat(eightPerChurner.roi()).isCloseTo(1.12, within(1e-9));
        assertThat(eightPerChurner.winBackPerTargeted()).isCloseTo(0.042, within(1e-12));
        // more won back per targeted member than there are churners among them cannot be
        assertThat(WhatIfRoi.winBackPerChurner(0.3, 0.2)).isEqualTo(1);
        assertThat(WhatIfRoi.winBackPerChurner(0.08, 0)).isNaN();
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
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("winBackPerChurner"));
        assertThatThrownBy(() -> new WhatIfRoi.Inputs(100, 0.2, 0, 0, 10, 0.1))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("touchCost"));
    }
}
