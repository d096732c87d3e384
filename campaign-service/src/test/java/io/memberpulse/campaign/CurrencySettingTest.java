package io.memberpulse.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * memberpulse.campaign.currency and currency-locale are read as the start reads them (application.properties' lines
 * with their environment variables) and checked there, not at the first call list.
 */
class CurrencySettingTest {

    private static CampaignConfig read(Map<String, String> environment) {
        return new SmallRyeConfigBuilder().addDefaultInterceptors().withMapping(CampaignConfig.class)
                .withSources(new PropertiesConfigSource(Map.of("memberpulse.redis.key-prefix", "test",
                        "memberpulse.campaign.currency", "${CURRENCY:CNY}",
                        "memberpulse.campaign.currency-locale", "${CURRENCY_LOCALE:}"), "application.properties", 250),
                        new EnvConfigSource(environment, 300))
                .build().getConfigMapping(CampaignConfig.class);
    }

    @Test
    void yuanByDefaultAndAnyIsoCodeOrLocaleWhenSet() {
        assertThat(read(Map.of()).campaign().currency()).isEqualTo(Currency.getInstance("CNY"));
        assertThat(read(Map.of()).campaign().currencyLocale()).isEmpty();
        assertThat(read(Map.of("CURRENCY", "GBP")).campaign().currency()).isEqualTo(Currency.getInstance("GBP"));
        assertThat(read(Map.of("CURRENCY", " gbp ")).campaign().currency()).isEqualTo(Currency.getInstance("GBP"));
        assertThat(read(Map.of("CURRENCY_LOCALE", "en-GB")).campaign().currencyLocale()).contains(Locale.UK);
    }

    @Test
    void anUnknownCurrencyOrAMalformedLocaleFailsTheStartNamingThePropertyAndTheValue() {
        for (String bad : List.of("POUNDS", "£", "GB")) {
            assertThatThrownBy(() -> read(Map.of("CURRENCY", bad))).as(bad)
                    .isInstanceOf(ConfigValidationException.class)
                    .hasMessageContaining("memberpulse.campaign.currency")
                    .hasMessageContaining(bad);
        }
        for (String bad : List.of("en_GB", "english", "12")) {
            assertThatThrownBy(() -> read(Map.of("CURRENCY_LOCALE", bad))).as(bad)
                    .isInstanceOf(ConfigValidationException.class)
                    .hasMessageContaining("memberpulse.campaign.currency-locale")
                    .hasMessageContaining(bad);
        }
    }
}
