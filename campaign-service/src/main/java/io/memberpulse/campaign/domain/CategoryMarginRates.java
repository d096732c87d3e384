package io.memberpulse.campaign.domain;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Gross margin rates configured per category path, for purchase lines whose member.events carry no margin_rate: a
 * line's own rate comes first, then the rate of the longest configured prefix of its category path, then the default
 * rate. Prefixes are whole segments: {@code dairy} covers {@code dairy/yogurt/greek} but not {@code dairyfree}; case
 * and a trailing slash do not matter. The same lookup as rfm-service's MarginRates, so a till feed without margins
 * weighs a campaign's infant formula and tobacco at their own thin margins rather than at the default.
 */
public final class CategoryMarginRates {
    public static final CategoryMarginRates NONE = new CategoryMarginRates(Map.of());

    private final Map<String, Double> byPath;

    private CategoryMarginRates(Map<String, Double> byPath) {
        this.byPath = Map.copyOf(byPath);
    }

    /**
     * Reads {@code category:rate} pairs separated by commas, e.g.
     * {@code dairy:0.35,dairy/infant-formula:0.12,tobacco:0.08}; blank or null for none. Each rate within (0, 1], as
     * the default's.
     *
     * @throws IllegalArgumentException naming the pair, or the category and its rate, and what is wrong
     */
    public static CategoryMarginRates parse(String setting) {
        if (setting == null || setting.isBlank()) {
            return NONE;
        }
        Map<String, Double> byPath = new HashMap<>();
        for (String pair : setting.split(",")) {
            int colon = pair.lastIndexOf(':');
            String path = colon < 0 ? "" : path(pair.substring(0, colon));
            if (path.isEmpty()) {
                throw new IllegalArgumentException("'" + pair.trim() + "' is not category:rate");
            }
            String value = pair.substring(colon + 1).trim();
            double rate;
            try {
                rate = Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "the rate of category '" + path + "' is not a number: '" + value + "'");
            }
            if (!(rate > 0 && rate <= 1)) {
                throw new IllegalArgumentException(
                        "the rate of category '" + path + "' must be within (0, 1], was " + value);
            }
            if (byPath.put(path, rate) != null) {
                throw new IllegalArgumentException("category '" + path + "' is given twice");
            }
        }
        return new CategoryMarginRates(byPath);
    }

    /**
     * The rate of the longest configured prefix of the category path; none for a line without a category or whose
     * path no prefix matches (the default rate applies). A line's own margin_rate is never looked up here: it wins.
     */
    public OptionalDouble rateOf(String category) {
        if (category == null || byPath.isEmpty()) {
            return OptionalDouble.empty();
        }
        for (String prefix = path(category); !prefix.isEmpty(); prefix = parent(prefix)) {
            Double rate = byPath.get(prefix);
            if (rate != null) {
                return OptionalDouble.of(rate);
            }
        }
        return OptionalDouble.empty();
    }

    /** A category path as looked up: trimmed, lower case, without trailing slashes. */
    private static String path(String category) {
        String path = category.trim().toLowerCase(Locale.ROOT);
        int end = path.length();
        while (end > 0 && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(0, end);
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }
}
