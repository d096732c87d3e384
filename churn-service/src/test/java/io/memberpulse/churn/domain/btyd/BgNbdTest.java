package io.memberpulse.churn.domain.btyd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class BgNbdTest {
    final BgNbd cdnow = new BgNbd(0.2426, 4.4137, 0.7930, 2.4262);

    @Test
    void aCustomerWithoutRepeatsIsAliveForSureAndOnlyTheRateDecides() {
        RepeatSummary none = new RepeatSummary(0, 0, 30);
        assertThat(cdnow.probabilityAlive(none)).isEqualTo(1);
        // P(no purchase in 10 weeks) = ((α + T) / (α + T + 10))^r
        assertThat(cdnow.probabilityNoPurchase(none, 10)).isCloseTo(Math.pow(34.4137 / 44.4137, 0.2426), within(1e-12));
    }

    @Test
    void aLongSilenceAfterFrequentBuyingMeansProbablyGone() {
        double stillBuying = cdnow.probabilityAlive(new RepeatSummary(10, 29, 30));
        double silent = cdnow.probabilityAlive(new RepeatSummary(10, 5, 30));
        assertThat(stillBuying).isGreaterThan(0.9);
        assertThat(silent).isLessThan(0.1);
        assertThat(cdnow.probabilityNoPurchase(new RepeatSummary(10, 5, 30), 12))
                .isGreaterThan(cdnow.probabilityNoPurchase(new RepeatSummary(10, 29, 30), 12));
    }

    @Test
    void logGammaMatchesKnownValues() {
        assertThat(Gamma.logGamma(1)).isCloseTo(0, within(1e-12));
        assertThat(Gamma.logGamma(0.5)).isCloseTo(Math.log(Math.sqrt(Math.PI)), within(1e-12));
        assertThat(Gamma.logGamma(10)).isCloseTo(Math.log(362_880), within(1e-10));
        assertThat(Gamma.logGamma(0.1)).isCloseTo(2.252712651734206, within(1e-12));
    }

    @Test
    void summariesCountRepeatDaysInWeeks() {
        RepeatSummary s = RepeatSummary.of(new long[] {100, 114, 128}, 135, 7);
        assertThat(s).isEqualTo(new RepeatSummary(2, 4, 5));
        assertThatThrownBy(() -> RepeatSummary.of(new long[] {100, 140}, 135, 7)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BgNbd(0, 1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
