package io.memberpulse.rfm.testdata;

import io.memberpulse.rfm.RfmConfig;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.Map;

/**
 * rfm-service's real configuration mapping for tests without Quarkus: {@link RfmConfig} as the service's
 * application.properties and the mapping's defaults set it, with a test's own properties over them. A setting added to
 * RfmConfig needs nothing here; the environment is not read, so every run sees the same values.
 */
public final class TestConfig {
    /** application.properties' ordinal in Quarkus. */
    private static final int APPLICATION_PROPERTIES = 250;
    private static final int OVERRIDES = 400;

    private TestConfig() {
    }

    /** The configuration as the service is shipped. */
    public static RfmConfig rfm() {
        return rfm(Map.of());
    }

    /** The configuration as shipped, with these properties (full names, e.g. memberpulse.rfm.lifecycle.dormant-days) over it. */
    public static RfmConfig rfm(Map<String, String> overrides) {
        URL properties = RfmConfig.class.getClassLoader().getResource("application.properties");
        if (properties == null || !properties.toString().contains("rfm-service")) {
            throw new IllegalStateException("rfm-service's application.properties is not on the class path: " + properties);
        }
        try {
            // the discovered converters are Quarkus's own (quarkus-core's service file): "5m" is a Duration as in the service
            return new SmallRyeConfigBuilder().addDefaultInterceptors().addDiscoveredConverters().withMapping(RfmConfig.class)
                    .withSources(new PropertiesConfigSource(properties, APPLICATION_PROPERTIES))
                    .withSources(new PropertiesConfigSource(overrides, "test overrides", OVERRIDES))
                    .build().getConfigMapping(RfmConfig.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
