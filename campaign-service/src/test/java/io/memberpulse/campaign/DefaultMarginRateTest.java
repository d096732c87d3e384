package io.memberpulse.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * memberpulse.campaign.default-margin-rate is checked where the configuration is read, as the start reads it (the
 * mapping with application.properties' line and the environment), not at the first review: within (0, 1], as
 * rfm-service's MarginRates.
 */
class DefaultMarginRateTest {

    private static CampaignConfig read(Map<String, String> environment) {
        return new SmallRyeConfigBuilder().addDefaultInterceptors().withMapping(CampaignConfig.class)
                .withSources(new PropertiesConfigSource(Map.of("memberpulse.redis.key-prefix", "test",
                        "memberpulse.campaign.default-margin-rate", "${DEFAULT_MARGIN_RATE:0.30}"), "application.properties", 250),
                        new EnvConfigSource(environment, 300))
                .build().getConfigMapping(CampaignConfig.class);
    }

    @Test
    void aRateAboveZeroUpToOneIsRead() {
        assertThat(read(Map.of()).campaign().defaultMarginRate()).isEqualTo(0.30);
        assertThat(read(Map.of("DEFAULT_MARGIN_RATE", "1")).campaign().defaultMarginRate()).isEqualTo(1.0);
        assertThat(read(Map.of("DEFAULT_MARGIN_RATE", " 0.05 ")).campaign().defaultMarginRate()).isEqualTo(0.05);
    }

    /** 0 was let through (gain 0 on every line without a rate: ROI 0 whatever the campaign sold), and only at the first review. */
    @Test
    void aRateOfZeroAboveOneOrNoNumberFailsTheStartNamingThePropertyAndTheValue() {
        for (String bad : List.of("0", "0.0", "-0.1", "1.01", "30", "NaN", "thirty")) {
            assertThatThrownBy(() -> read(Map.of("DEFAULT_MARGIN_RATE", bad))).as(bad)
                    .isInstanceOf(ConfigValidationException.class)
                    .hasMessageContaining("memberpulse.campaign.default-margin-rate")
                    .hasMessageContaining("(0, 1]")
                    .hasMessageContaining(bad);
        }
    }
}
