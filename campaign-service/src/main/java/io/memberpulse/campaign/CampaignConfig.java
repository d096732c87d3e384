package io.memberpulse.campaign;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** campaign-service settings (application.properties, overridable by environment variables). */
@ConfigMapping(prefix = "memberpulse")
public interface CampaignConfig {

    Redis redis();

    Campaign campaign();

    interface Redis {
        /** Prefix of every key this service writes, so tests and tenants never collide. */
        String keyPrefix();
    }

    interface Campaign {
        /** Share of a store's scored members who get a store-manager call (the SOP's top 10%). */
        @WithDefault("0.10")
        double sopTopShare();

        /** Hours a store has to make the call once the task is opened (the SOP's 72 hours). */
        @WithDefault("72")
        int sopDueHours();

        /** What one store-manager call costs (labour and phone), for campaign ROI. */
        @WithDefault("6")
        double costPerCall();

        /** Days after a recorded outcome during which the SOP does not call the same member again. */
        @WithDefault("14")
        int coolDownDays();

        /** Call-list length when the caller gives no limit: what one store can call in a day. */
        @WithDefault("20")
        int dailyCallCapacity();

        /** Members below this churn probability never get a task, even inside the top share. */
        @WithDefault("0.5")
        double minProbability();

        /** Safety net for a missed invalidation: a cached call list is dropped after this long anyway. */
        @WithDefault("PT10M")
        Duration callListCacheTtl();
    }
}
