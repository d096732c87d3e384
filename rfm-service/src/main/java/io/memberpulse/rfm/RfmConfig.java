package io.memberpulse.rfm;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** rfm-service settings (application.properties, overridable by environment variables). */
@ConfigMapping(prefix = "memberpulse")
public interface RfmConfig {

    Redis redis();

    Settings rfm();

    interface Redis {
        /** Prefix of every key this service writes, so tests and tenants never collide. */
        String keyPrefix();
    }

    interface Settings {
        /** Margin rate of lines that carry none. */
        @WithDefault("0.30")
        double defaultMarginRate();

        /** How often every member is re-aged to the event-time clock. */
        @WithDefault("10s")
        String refreshEvery();
    }
}
