package io.memberpulse.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memberpulse.campaign.domain.CallCapacity;
import io.memberpulse.campaign.domain.StoreCallCapacities;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * memberpulse.campaign.store-call-capacities is read and checked as the start reads it (the mapping with
 * application.properties' line and the environment, one variable as a ConfigMap loaded with envFrom sets it), as
 * category-margin-rates is (CategoryMarginRatesSettingTest).
 */
class StoreCallCapacitiesSettingTest {

    private static CampaignConfig read(Map<String, String> environment) {
        return new SmallRyeConfigBuilder().addDefaultInterceptors().withMapping(CampaignConfig.class)
                .withSources(new PropertiesConfigSource(Map.of("memberpulse.redis.key-prefix", "test",
                        "memberpulse.campaign.store-call-capacities", "${STORE_CALL_CAPACITIES:}"),
                        "application.properties", 250), new EnvConfigSource(environment, 300))
                .build().getConfigMapping(CampaignConfig.class);
    }

    private static CallCapacity capacity(CampaignConfig config) {
        return new CallCapacity(config.campaign().dailyCallCapacity(),
                config.campaign().storeCallCapacities().orElse(StoreCallCapacities.NONE).byStore());
    }

    @Test
    void unsetEveryStoreCallsTheDailyCapacity() {
        assertThat(read(Map.of()).campaign().storeCallCapacities()).isEmpty();
        assertThat(read(Map.of("STORE_CALL_CAPACITIES", "")).campaign().storeCallCapacities()).isEmpty();
        assertThat(capacity(read(Map.of())).of("s-0042")).isEqualTo(20);
    }

    @Test
    void theEnvironmentSetsStoresWithDashesInTheirIds() {
        CallCapacity capacity = capacity(read(Map.of("STORE_CALL_CAPACITIES", "s-0042:35, kiosk-7:0 ,s-0107:5",
                "MEMBERPULSE_CAMPAIGN_DAILY_CALL_CAPACITY", "12")));
        assertThat(capacity.of("s-0042")).isEqualTo(35);
        assertThat(capacity.of("kiosk-7")).isZero();
        assertThat(capacity.of("s-0107")).isEqualTo(5);
        assertThat(capacity.of("s-0043")).as("the chain's").isEqualTo(12);
    }

    @Test
    void aMalformedPairOrANegativeNumberFailsTheStartNamingThePropertyAndThePair() {
        assertThatThrownBy(() -> read(Map.of("STORE_CALL_CAPACITIES", "s-0042:35,s-0107=5")))
                .isInstanceOf(ConfigValidationException.class)
                .hasMessageContaining("memberpulse.campaign.store-call-capacities")
                .hasMessageContaining("'s-0107=5' is not store-id:N");
        assertThatThrownBy(() -> read(Map.of("STORE_CALL_CAPACITIES", "s-0042:-1")))
                .isInstanceOf(ConfigValidationException.class)
                .hasMessageContaining("memberpulse.campaign.store-call-capacities")
                .hasMessageContaining("'s-0042:-1': the capacity of store 's-0042' must be 0 or more, was -1");
        assertThatThrownBy(() -> read(Map.of("STORE_CALL_CAPACITIES", "s-0042:many")))
                .isInstanceOf(ConfigValidationException.class)
                .hasMessageContaining("'s-0042:many': the capacity of store 's-0042' is not a whole number: 'many'");
        assertThatThrownBy(() -> read(Map.of("STORE_CALL_CAPACITIES", ":5")))
                .isInstanceOf(ConfigValidationException.class)
                .hasMessageContaining("':5' is not store-id:N");
        assertThatThrownBy(() -> read(Map.of("STORE_CALL_CAPACITIES", "s-1:2,s-1:3")))
                .isInstanceOf(ConfigValidationException.class)
                .hasMessageContaining("store 's-1' is given twice");
    }
}
