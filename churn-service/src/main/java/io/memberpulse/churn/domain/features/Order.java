package io.memberpulse.churn.domain.features;

import java.time.Instant;
import java.util.Set;

/** One order of a member, its lines added up. */
public record Order(String orderId, Instant at, long day, String channel, String storeId, int lines, double quantity,
        double paid, double discount, Set<String> skus, Set<String> categories) {

    public double gross() {
        return paid + discount;
    }
}
