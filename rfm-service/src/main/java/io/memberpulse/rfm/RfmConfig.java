package io.memberpulse.rfm;

import io.memberpulse.rfm.domain.MarginRates;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.ZoneId;
import java.util.Optional;

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

        /**
         * Margin rates of categories, for lines that carry none: {@code category:rate} pairs separated by commas, the
         * longest matching prefix of a line's category path winning (MarginRates).
         */
        Optional<String> categoryMarginRates();

        /** The margin rate of each purchase line, from the two settings above. */
        default MarginRates marginRates() {
            try {
                return MarginRates.parse(defaultMarginRate(), categoryMarginRates().orElse(""));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("memberpulse.rfm.category-margin-rates / default-margin-rate: "
                        + e.getMessage(), e);
            }
        }

        /** How often every member is re-aged to the event-time clock. */
        @WithDefault("10s")
        String refreshEvery();

        /**
         * The time zone whose calendar the chain's stores keep: the weeks of the activity trend, the days of the
         * segment history, the registration-date and age-band tags, and the midnight a date given for asOf, from or to
         * begins at (as churn-service's and campaign-service's).
         */
        @WithDefault("Asia/Shanghai")
        ZoneId dayZone();

        /** How often each replica reloads the rule segments defined on others. */
        @WithDefault("5s")
        String ruleReloadEvery();

        /**
         * How far ahead of this replica's clock the event-time clock may move. An event stamped later (identity
         * accepts up to a day ahead; a till sending local time marked UTC is hours ahead) moves it only this far, so
         * one bad timestamp does not age every member for good (the clock never moves back). Only the clock is held:
         * the event is stored as stamped and counts once the clock reaches it. Historical imports are far behind.
         */
        @WithDefault("5m")
        java.time.Duration maxClockLead();

        /**
         * How long a member's current RFM waits for Redis before it is read from PostgreSQL: a Redis that accepts
         * connections and never answers would otherwise hold each read for the client's timeout (quarkus.redis.timeout).
         */
        @WithDefault("200ms")
        java.time.Duration redisReadTimeout();

        /**
         * After a Redis read failed (or timed out) reads skip Redis this long; after a write failed, writes and reads
         * (store.RfmCache).
         */
        @WithDefault("5s")
        java.time.Duration redisBackoff();

        /** How often member removals older than other replicas need are forgotten (RemovalsCleanup). */
        @WithDefault("1h")
        String removalsCleanupEvery();

        /** Lifecycle stage rules (first that holds wins: dormant, at risk, new, loyal, else growing). */
        Lifecycle lifecycle();

        /** The default segments' thresholds (DOMAIN.md's store targets unless configured). */
        Segments segments();
    }

    interface Lifecycle {
        /** Days without a purchase that make a member dormant. */
        @WithDefault("180")
        double dormantDays();

        /** Days without a purchase that put a member at risk. */
        @WithDefault("45")
        double atRiskDays();

        /** Orders within 90 days that, with loyal-monetary-90d, make a member loyal. */
        @WithDefault("6")
        @WithName("loyal-orders-90d")
        int loyalOrders90d();

        /** Net spend within 90 days that, with loyal-orders-90d, make a member loyal. */
        @WithDefault("600")
        @WithName("loyal-monetary-90d")
        double loyalMonetary90d();
    }

    /** memberpulse.rfm.segments.{high-value-active,potential,churn-edge}.* */
    interface Segments {
        @WithName("high-value-active")
        Active highValueActive();

        Active potential();

        @WithName("churn-edge")
        Fading churnEdge();
    }

    /**
     * In the segment: R <= max-recency-days, wF30 (orders within 30 days weighted by margin, an order at the default rate
     * weighing 1) >= min-orders-30d and M30 >= min-monetary-30d; potential leaves out the high-value active.
     */
    interface Active {
        double maxRecencyDays();

        @WithName("min-orders-30d")
        int minOrders30d();

        @WithName("min-monetary-30d")
        double minMonetary30d();
    }

    /**
     * In the segment: R >= min-recency-days, wF30 <= max-orders-30d and M30 <= max-monetary-30d, and not yet
     * dormant (R < lifecycle.dormant-days).
     */
    interface Fading {
        double minRecencyDays();

        @WithName("max-orders-30d")
        int maxOrders30d();

        @WithName("max-monetary-30d")
        double maxMonetary30d();
    }
}
