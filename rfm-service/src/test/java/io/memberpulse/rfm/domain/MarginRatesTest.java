package io.memberpulse.rfm.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class MarginRatesTest {
    private static final MarginRates RATES = MarginRates.parse(0.30, " dairy:0.35, dairy/infant-formula:0.12 ,tobacco:0.08");

    private static PurchaseLine line(String category, Double marginRate) {
        return new PurchaseLine("o", PurchaseLine.Kind.ORDER, Instant.EPOCH, "s1", 10, marginRate, 0, category);
    }

    @Test
    void theLinesOwnRateWinsThenTheLongestCategoryPrefixThenTheDefault() {
        assertThat(RATES.rateOf(line("dairy/infant-formula", 0.5))).isEqualTo(0.5);
        assertThat(RATES.rateOf(line("dairy/infant-formula/stage-1", null))).isEqualTo(0.12);
        assertThat(RATES.rateOf(line("dairy/yogurt/greek", null))).isEqualTo(0.35);
        assertThat(RATES.rateOf(line("Dairy/Yogurt/", null))).as("case and a trailing slash").isEqualTo(0.35);
        assertThat(RATES.rateOf(line("dairyfree/oat", null))).as("whole path segments only").isEqualTo(0.30);
        assertThat(RATES.rateOf(line(null, null))).isEqualTo(0.30);
        assertThat(MarginRates.parse(0.25, "  ").rateOf(line("dairy", null))).isEqualTo(0.25);
    }

    @Test
    void aBadSettingIsRefusedNamingThePair() {
        assertThatThrownBy(() -> MarginRates.parse(0.30, "dairy=0.3")).hasMessage("'dairy=0.3' is not category:rate");
        assertThatThrownBy(() -> MarginRates.parse(0.30, "dairy:high")).hasMessage("'dairy:high': the rate is not a number");
        assertThatThrownBy(() -> MarginRates.parse(0.30, "dairy:1.5"))
                .hasMessage("margin rate of category 'dairy' must be within (0, 1], was 1.5");
        assertThatThrownBy(() -> MarginRates.parse(0.30, "dairy:0.3,Dairy/:0.4")).hasMessage("category 'dairy' is given twice");
        assertThatThrownBy(() -> MarginRates.parse(0, "")).hasMessage("default margin rate must be within (0, 1], was 0.0");
    }

    @Test
    void theCategoryRatesAreWrittenAsParsedInCategoryOrderSoThatAVersionReadsBackEqual() {
        assertThat(RATES.categoryRates()).isEqualTo("dairy:0.35,dairy/infant-formula:0.12,tobacco:0.08");
        assertThat(MarginRates.parse(0.30, RATES.categoryRates())).isEqualTo(RATES).hasSameHashCodeAs(RATES);
        assertThat(MarginRates.parse(0.30, "tobacco:0.08, DAIRY/:0.35,dairy/infant-formula:0.12")).isEqualTo(RATES);
        assertThat(MarginRates.uniform(0.30).categoryRates()).isEmpty();
        assertThat(MarginRates.parse(0.30, RATES.categoryRates() + ",snacks:0.4")).isNotEqualTo(RATES);
        assertThat(MarginRates.parse(0.25, RATES.categoryRates())).isNotEqualTo(RATES);
    }
}
