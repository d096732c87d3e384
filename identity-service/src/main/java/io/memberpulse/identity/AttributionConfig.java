package io.memberpulse.identity;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How long before an order each kind of touch point still earns it credit (attribution). */
@ConfigMapping(prefix = "memberpulse.identity.attribution")
public interface AttributionConfig {
    /** A coupon redeemed at (or just before) the order. */
    @WithDefault("PT2H")
    Duration couponRedeemedWindow();

    @WithDefault("P14D")
    Duration couponIssuedWindow();

    /** A campaign landing (a visit or registration carrying a campaign id). */
    @WithDefault("P7D")
    Duration campaignWindow();

    /** A visit to a channel (store, mini-program, app). */
    @WithDefault("P1D")
    Duration visitWindow();
}
