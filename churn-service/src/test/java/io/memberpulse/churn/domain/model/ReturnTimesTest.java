package io.memberpulse.churn.domain.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.memberpulse.churn.domain.features.Feature;
import io.memberpulse.churn.domain.features.Population;
import io.memberpulse.churn.domain.features.Snapshot;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReturnTimesTest {
    static final Instant T = Instant.parse("2024-01-01T00:00:00Z");

    static Snapshot at(Instant asOf, double... daysToReturn) {
        double[][] x = new double[daysToReturn.length][Feature.COUNT];
        List<String> ids = java.util.stream.IntStream.range(0, x.length).mapToObj(i -> "m" + i).toList();
        return new Snapshot(asOf, Population.NONE, ids, x, null, daysToReturn);
    }

    @Test
    void returnsAfterTheEndOfTheFactsAreCensoredThere() {
        // facts end 100 days after T: a return on day 120 (seen later) is not read, nor is one never seen
        ReturnTimes returns = ReturnTimes.of(List.of(at(T, 5, 120, Double.POSITIVE_INFINITY),
                at(T.plusSeconds(50 * 86_400L), 30)), T.plusSeconds(100 * 86_400L));
        assertThat(returns.days()).containsExactly(5, 100, 100, 30);
        assertThat(returns.returned()).containsExactly(true, false, false, true);
        assertThat(returns.coxLabels()).containsExactly(5f, -100f, -100f, 30f);
        assertThatThrownBy(() -> ReturnTimes.of(List.of(at(T, 5)), T)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ReturnTimes.of(List.of(new Snapshot(T, Population.NONE, List.of(),
                new double[0][], null)), T.plusSeconds(86_400))).hasMessageContaining("no return times");
    }

    @Test
    void breslowSumsEachReturnOverTheHazardStillAtRisk() {
        ReturnTimes returns = new ReturnTimes(new double[] {1, 2, 2, 5}, new boolean[] {true, true, false, true});
        // day 1: all four at risk; day 2: three (the one censored on day 2 is still at risk); day 5: one
        assertThat(returns.baselineHazard(new double[] {1, 1, 1, 1}, 3)).isCloseTo(1 / 4d + 1 / 3d, within(1e-12));
        assertThat(returns.baselineHazard(new double[] {1, 1, 1, 1}, 10)).isCloseTo(1 / 4d + 1 / 3d + 1, within(1e-12));
        assertThat(returns.baselineHazard(new double[] {2, 1, 1, 1}, 3)).isCloseTo(1 / 5d + 1 / 3d, within(1e-12));
        assertThat(returns.baselineHazard(new double[] {1, 1, 1, 1}, 0.5)).isZero();
    }
}
