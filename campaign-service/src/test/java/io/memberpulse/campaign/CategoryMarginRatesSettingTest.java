package io.memberpulse.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * memberpulse.campaign.category-margin-rates is read and checked as the start reads it (the mapping with
 * application.properties' line and the environment), as the default margin rate is (DefaultMarginRateTest).
 */
class CategoryMarginRatesSettingTest {

    private static CampaignConfig read(Map<String, String> environment) {
        return new SmallRyeConfigBuilder().addDefaultInterceptors().withMapping(CampaignConfig.class)
                .withSources(new PropertiesConfigSource(Map.of("memberpulse.redis.key-prefix", "test",
                        "memberpulse.campaign.category-margin-rates", "${CATEGORY_MARGIN_RATES:}"),
                        "application.properties", 250), new EnvConfigSource(environment, 300))
                .build().getConfigMapping(CampaignConfig.class);
    }

    @Test
    void unsetNoCategoryHasARateOfItsOwn() {
        assertThat(read(Map.of()).campaign().categoryMarginRates()).isEmpty();
        assertThat(read(Map.of("CATEGORY_MARGIN_RATES", "")).campaign().categoryMarginRates()).isEmpty();
    }

    @Test
    void theEnvironmentSetsTheRatesOfCategories() {
        var rates = read(Map.of("CATEGORY_MARGIN_RATES", "dairy:0.35,dairy/infant-formula:0.12,tobacco:0.08"))
                .campaign().categoryMarginRates().orElseThrow();
        assertThat(rates.rateOf("dairy/infant-formula/stage-1")).hasValue(0.12);
        assertThat(rates.rateOf("dairy/yogurt/greek")).hasValue(0.35);
        assertThat(rates.rateOf("dairyfree")).isEmpty();
    }

    @Test
    void aBadRateFailsTheStartNamingThePropertyTheCategoryAndTheValue() {
        assertThatThrownBy(() -> read(Map.of("CATEGORY_MARGIN_RATES", "dairy:0.35,tobacco:1.5")))
                .isInstanceOf(ConfigValidationException.class)
                .hasMessageContaining("memberpulse.campaign.category-margin-rates")
                .hasMessageContaining("the rate of category 'tobacco' must be within (0, 1], was 1.5");
        assertThatThrownBy(() -> read(Map.of("CATEGORY_MARGIN_RATES", "tobacco:0")))
                .isInstanceOf(ConfigValidationException.class)
                .hasMessageContaining("memberpulse.campaign.category-margin-rates")
                .hasMessageContaining("'tobacco' must be within (0, 1], was 0");
        assertThatThrownBy(() -> read(Map.of("CATEGORY_MARGIN_RATES", "tobacco=0.08")))
                .isInstanceOf(ConfigValidationException.class)
                .hasMessageContaining("memberpulse.campaign.category-margin-rates")
                .hasMessageContaining("'tobacco=0.08' is not category:rate");
    }
}
