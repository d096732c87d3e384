package io.memberpulse.churn.domain.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class LiftCurveTest {

    @Test
    void measuredAtEachShareAndReadBetweenThem() {
        // 10 members, 4 churners, ranked perfectly: the top 10% and 20% are all churners (lift 2.5).
        double[] scores = {0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05};
        int[] churned = {1, 1, 1, 1, 0, 0, 0, 0, 0, 0};
        LiftCurve curve = LiftCurve.measure(scores, churned);
        assertThat(curve.at(0.2)).isCloseTo(2.5, within(1e-9));
        assertThat(curve.at(0.5)).isCloseTo(0.8 / 0.4, within(1e-9));
        assertThat(curve.at(1.0)).isCloseTo(1.0, within(1e-9));

        LiftCurve handMade = new LiftCurve(List.of(new LiftCurve.Point(0.3, 1.5), new LiftCurve.Point(0.1, 2.5)));
        assertThat(handMade.at(0.2)).isCloseTo(2.0, within(1e-9));
        assertThat(handMade.at(0.05)).isCloseTo(2.5, within(1e-9));
        assertThat(handMade.at(0.9)).isCloseTo(1.5, within(1e-9));
    }
}
