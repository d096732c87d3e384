package io.memberpulse.campaign.domain;

import java.util.Map;

/**
 * How many calls a store makes in a day: its own number where one is configured, else the chain's.
 *
 * @param daily   the chain's default (memberpulse.campaign.daily-call-capacity)
 * @param byStore stores with a number of their own (memberpulse.campaign.store-call-capacities)
 */
public record CallCapacity(int daily, Map<String, Integer> byStore) {

    public CallCapacity {
        if (daily < 0) {
            throw new IllegalArgumentException("memberpulse.campaign.daily-call-capacity must be 0 or more, was " + daily);
        }
        byStore = Map.copyOf(byStore);
        byStore.forEach((store, calls) -> {
            if (calls < 0) {
                throw new IllegalArgumentException("memberpulse.campaign.store-call-capacities: the capacity of store '"
                        + store + "' must be 0 or more, was " + calls);
            }
        });
    }

    public int of(String storeId) {
        return byStore.getOrDefault(storeId, daily);
    }
}
