package io.memberpulse.campaign.domain;

import java.util.HashMap;
import java.util.Map;

/**
 * The stores whose daily call capacity differs from the chain's, read from one setting of {@code store-id:N} pairs
 * separated by commas ({@code s-0042:35,s-0107:5}): one value, so it can come from an environment variable or a
 * ConfigMap key, which cannot carry a store id in their names (CallCapacity decides with it).
 *
 * @param byStore store id → the calls it makes in a day, 0 or more
 */
public record StoreCallCapacities(Map<String, Integer> byStore) {
    public static final StoreCallCapacities NONE = new StoreCallCapacities(Map.of());

    public StoreCallCapacities {
        byStore = Map.copyOf(byStore);
    }

    /**
     * Reads {@code store-id:N} pairs separated by commas; blank or null for none. A store id is everything before the
     * pair's last colon, trimmed (store ids are kept as they are, case included).
     *
     * @throws IllegalArgumentException naming the pair, or the store and its number, and what is wrong
     */
    public static StoreCallCapacities parse(String setting) {
        if (setting == null || setting.isBlank()) {
            return NONE;
        }
        Map<String, Integer> byStore = new HashMap<>();
        for (String pair : setting.split(",")) {
            int colon = pair.lastIndexOf(':');
            String store = colon < 0 ? "" : pair.substring(0, colon).trim();
            if (store.isEmpty()) {
                throw new IllegalArgumentException("'" + pair.trim() + "' is not store-id:N");
            }
            String value = pair.substring(colon + 1).trim();
            int calls;
            try {
                calls = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + pair.trim() + "': the capacity of store '" + store
                        + "' is not a whole number: '" + value + "'");
            }
            if (calls < 0) {
                throw new IllegalArgumentException("'" + pair.trim() + "': the capacity of store '" + store
                        + "' must be 0 or more, was " + calls);
            }
            if (byStore.put(store, calls) != null) {
                throw new IllegalArgumentException("store '" + store + "' is given twice");
            }
        }
        return new StoreCallCapacities(byStore);
    }
}
