package io.memberpulse.campaign.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CategoryMarginRatesTest {
    private static final CategoryMarginRates RATES =
            CategoryMarginRates.parse(" dairy:0.35, dairy/infant-formula:0.12 ,tobacco:0.08");

    @Test
    void theLongestWholeSegmentPrefixOfTheCategoryPathWins() {
        assertThat(RATES.rateOf("dairy/infant-formula/stage-1")).hasValue(0.12);
        assertThat(RATES.rateOf("dairy/infant-formula")).hasValue(0.12);
        assertThat(RATES.rateOf("dairy/yogurt/greek")).hasValue(0.35);
        assertThat(RATES.rateOf("dairy")).hasValue(0.35);
        assertThat(RATES.rateOf("tobacco/cigarettes")).hasValue(0.08);
        assertThat(RATES.rateOf("Dairy/Yogurt/")).as("case and a trailing slash").hasValue(0.35);
        assertThat(RATES.rateOf(" DAIRY/INFANT-FORMULA ")).hasValue(0.12);
    }

    @Test
    void aPathNoPrefixMatchesHasNoRateOfItsOwnCategory() {
        assertThat(RATES.rateOf("dairyfree/oat")).as("whole path segments only, not dairy").isEmpty();
        assertThat(RATES.rateOf("dairy-free")).isEmpty();
        assertThat(RATES.rateOf("infant-formula")).as("a prefix, not any segment").isEmpty();
        assertThat(RATES.rateOf("produce/dairy")).isEmpty();
        assertThat(RATES.rateOf(null)).as("a line without a category").isEmpty();
        assertThat(RATES.rateOf("")).isEmpty();
        assertThat(RATES.rateOf("/")).isEmpty();
        assertThat(CategoryMarginRates.NONE.rateOf("dairy")).isEmpty();
        assertThat(CategoryMarginRates.parse("  ").rateOf("dairy")).isEmpty();
        assertThat(CategoryMarginRates.parse(null).rateOf("dairy")).isEmpty();
    }

    @Test
    void aRateOfOneIsAllowedAndASlashEndedCategoryIsTheSameCategory() {
        assertThat(CategoryMarginRates.parse("gift-cards/:1").rateOf("gift-cards/apple")).hasValue(1.0);
    }

    @Test
    void aRateOutsideZeroToOneIsRefusedNamingTheCategoryAndTheValue() {
        for (String bad : List.of("0", "0.0", "-0.1", "1.01", "35", "NaN", "Infinity")) {
            assertThatThrownBy(() -> CategoryMarginRates.parse("dairy:0.35,tobacco:" + bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the rate of category 'tobacco' must be within (0, 1], was " + bad);
        }
    }

    @Test
    void aPairThatIsNotCategoryAndRateIsRefusedNamingIt() {
        assertThatThrownBy(() -> CategoryMarginRates.parse("dairy=0.3"))
                .hasMessage("'dairy=0.3' is not category:rate");
        assertThatThrownBy(() -> CategoryMarginRates.parse(":0.3")).hasMessage("':0.3' is not category:rate");
        assertThatThrownBy(() -> CategoryMarginRates.parse("dairy:0.3,,tobacco:0.1"))
                .hasMessage("'' is not category:rate");
        assertThatThrownBy(() -> CategoryMarginRates.parse("dairy:high"))
                .hasMessage("the rate of category 'dairy' is not a number: 'high'");
        assertThatThrownBy(() -> CategoryMarginRates.parse("dairy:"))
                .hasMessage("the rate of category 'dairy' is not a number: ''");
        assertThatThrownBy(() -> CategoryMarginRates.parse("dairy:0.3,Dairy/:0.4"))
                .hasMessage("category 'dairy' is given twice");
    }
}
