package io.memberpulse.identity.domain;

import java.util.HashMap;
import java.util.Map;

/**
 * The city of each store, learned from the events that report both (delivery rows name the city they are
 * delivered in): a store is placed in a city once enough of its reports name it and nearly all name the
 * same one. An online or virtual store delivers everywhere, its reports name many cities, so it stays
 * without a city. Lets two members who use different stores of one city, or an online order delivered
 * there, be compared by city.
 */
final class StoreCities {
    private final int minReports;
    private final double minShare;
    private final Map<String, Map<String, Integer>> reports = new HashMap<>();

    /**
     * @param minReports reports of a store needed before it is placed in a city
     * @param minShare   share of its reports that must name that city
     */
    StoreCities(int minReports, double minShare) {
        if (minReports < 1 || !(minShare > 0.5 && minShare <= 1)) {
            throw new IllegalArgumentException("minReports must be >= 1 and minShare in (0.5, 1]");
        }
        this.minReports = minReports;
        this.minShare = minShare;
    }

    void observe(String store, String city) {
        if (store != null && city != null) {
            reports.computeIfAbsent(store, s -> new HashMap<>(2)).merge(city, 1, Integer::sum);
        }
    }

    /** The store's city, or null while its reports are too few or name several cities. */
    String cityOf(String store) {
        Map<String, Integer> cities = store == null ? null : reports.get(store);
        if (cities == null) {
            return null;
        }
        int total = 0;
        String top = null;
        int topCount = 0;
        for (Map.Entry<String, Integer> entry : cities.entrySet()) {
            total += entry.getValue();
            if (entry.getValue() > topCount) {
                top = entry.getKey();
                topCount = entry.getValue();
            }
        }
        return total >= minReports && topCount >= minShare * total ? top : null;
    }
}
