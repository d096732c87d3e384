package io.memberpulse.rfm.domain;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The margin rate of a purchase line: its own when the channel sends one, else the rate configured for the longest
 * prefix of its category path (whole segments: {@code dairy} covers {@code dairy/yogurt/greek}, not {@code dairyfree}),
 * else the default. So a till feed without margins still weighs high-margin categories more (DOMAIN.md: F weighted by
 * category). Compared by value: the rates are versioned with the configured definitions (ConfiguredDefinitions), a start
 * recording them when they differ from the last recorded.
 */
public final class MarginRates {
    private final double defaultRate;
    private final Map<String, Double> byCategory;

    public MarginRates(double defaultRate, Map<String, Double> byCategory) {
        checkRate("default margin rate", defaultRate);
        byCategory.forEach((category, rate) -> checkRate("margin rate of category '" + category + "'", rate));
        this.defaultRate = defaultRate;
        this.byCategory = Map.copyOf(byCategory);
    }

    public static MarginRates uniform(double defaultRate) {
        return new MarginRates(defaultRate, Map.of());
    }

    /**
     * Parses {@code category:rate} pairs separated by commas, e.g. {@code dairy:0.35,dairy/infant-formula:0.12,
     * tobacco:0.08}; blank for none.
     *
     * @throws IllegalArgumentException naming the pair and what is wrong with it
     */
    public static MarginRates parse(double defaultRate, String categoryRates) {
        Map<String, Double> rates = new TreeMap<>();
        if (categoryRates != null && !categoryRates.isBlank()) {
            for (String pair : categoryRates.split(",")) {
                int colon = pair.lastIndexOf(':');
                String category = colon < 0 ? "" : normalise(pair.substring(0, colon));
                if (category.isEmpty()) {
                    throw new IllegalArgumentException("'" + pair.trim() + "' is not category:rate");
                }
                double rate;
                try {
                    rate = Double.parseDouble(pair.substring(colon + 1).trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + pair.trim() + "': the rate is not a number");
                }
                if (rates.put(category, rate) != null) {
                    throw new IllegalArgumentException("category '" + category + "' is given twice");
                }
            }
        }
        return new MarginRates(defaultRate, rates);
    }

    public double defaultRate() {
        return defaultRate;
    }

    /**
     * The category rates as {@link #parse} reads them, in category order ({@code dairy:0.35,tobacco:0.08}; empty for
     * none), so that parsing it again gives equal rates: how a version of them is stored.
     */
    public String categoryRates() {
        StringBuilder text = new StringBuilder();
        new TreeMap<>(byCategory).forEach((category, rate) -> {
            text.append(text.isEmpty() ? "" : ",").append(category).append(':').append(rate);
        });
        return text.toString();
    }

    public double rateOf(PurchaseLine line) {
        Double rate = ownOrCategoryRate(line);
        return rate != null ? rate : defaultRate;
    }

    /**
     * The line's own rate, else its category's; null when it has neither (a refund without them is priced at its
     * order's rate, pro rata, not at the default).
     */
    public Double ownOrCategoryRate(PurchaseLine line) {
        if (line.marginRate() != null) {
            return line.marginRate();
        }
        if (byCategory.isEmpty() || line.category() == null) {
            return null;
        }
        String path = normalise(line.category());
        while (!path.isEmpty()) {
            Double rate = byCategory.get(path);
            if (rate != null) {
                return rate;
            }
            int slash = path.lastIndexOf('/');
            path = slash < 0 ? "" : path.substring(0, slash);
        }
        return null;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof MarginRates rates && Double.compare(defaultRate, rates.defaultRate) == 0
                && byCategory.equals(rates.byCategory);
    }

    @Override
    public int hashCode() {
        return Double.hashCode(defaultRate) * 31 + byCategory.hashCode();
    }

    @Override
    public String toString() {
        return "MarginRates[default=" + defaultRate + ", categories=" + categoryRates() + "]";
    }

    private static String normalise(String category) {
        String path = category.trim().toLowerCase(Locale.ROOT);
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return path;
    }

    private static void checkRate(String what, double rate) {
        if (!(rate > 0 && rate <= 1)) {
            throw new IllegalArgumentException(what + " must be within (0, 1], was " + rate);
        }
    }
}
