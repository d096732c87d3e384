package io.memberpulse.identity;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** identity-service settings (application.properties, overridable by environment variables). */
@ConfigMapping(prefix = "memberpulse")
public interface IdentityConfig {

    Redis redis();

    Identity identity();

    interface Redis {
        /** Prefix of every key this service writes, so tests and tenants never collide. */
        String keyPrefix();
    }

    interface Identity {
        /** Zone of date-times written without an offset (EVENT-CSV). */
        @WithDefault("Asia/Shanghai")
        String defaultZone();

        /** Region of phone numbers written without a country code. */
        @WithDefault("CN")
        String defaultRegion();

        /** How many rejections an import answer lists; all are counted. */
        @WithDefault("20")
        int maxListedRejections();
    }
}
