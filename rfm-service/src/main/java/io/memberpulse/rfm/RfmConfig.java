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

        /** Lifecycle: days without a purchase that make a member dormant. */
        @WithDefault("180")
        double dormantDays();

        /** Lifecycle: days without a purchase that put a member at risk. */
        @WithDefault("45")
        double atRiskDays();

        /** Lifecycle: orders within 90 days that, with loyal-monetary-90d, make a member loyal. */
        @WithDefault("6")
        int loyalOrders90d();

        /** Lifecycle: net spend within 90 days that, with loyal-orders-90d, make a member loyal. */
        @WithDefault("600")
        double loyalMonetary90d();
    }
}
