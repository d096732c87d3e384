package io.memberpulse.campaign.store;

import io.memberpulse.campaign.domain.CategoryMarginRates;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Amounts without a margin rate of their own priced at their category's rate (CategoryMarginRates), for one review:
 * what no category prices is left for the default rate, which the review applies. A chain has far fewer categories
 * than lines, so each category's rate is looked up once.
 */
final class CategoryPricing {
    private final CategoryMarginRates rates;
    private final Map<String, OptionalDouble> byCategory = new HashMap<>();

    CategoryPricing(CategoryMarginRates rates) {
        this.rates = rates;
    }

    /** The margin of the amounts whose category has a rate, and the sum of the others (for the default rate). */
    record Priced(double margin, double withoutRate) {
    }

    /** categories[i] and amounts[i] go together; both null (array_agg of no rows) for none. */
    Priced price(String[] categories, Double[] amounts) {
        double margin = 0, withoutRate = 0;
        for (int i = 0; categories != null && i < categories.length; i++) {
            OptionalDouble rate = byCategory.computeIfAbsent(categories[i], rates::rateOf);
            if (rate.isPresent()) {
                margin += amounts[i] * rate.getAsDouble();
            } else {
                withoutRate += amounts[i];
            }
        }
        return new Priced(margin, withoutRate);
    }
}
