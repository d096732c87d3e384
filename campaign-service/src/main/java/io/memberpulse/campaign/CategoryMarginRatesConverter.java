package io.memberpulse.campaign;

import io.memberpulse.campaign.domain.CategoryMarginRates;
import org.eclipse.microprofile.config.spi.Converter;

/**
 * memberpulse.campaign.category-margin-rates read and checked where the configuration is read, as the default rate is
 * (MarginRateConverter): a pair that is not category:rate, a rate out of (0, 1] or a category given twice fails the
 * start, naming the property, the category and the value, instead of the first review.
 */
public final class CategoryMarginRatesConverter implements Converter<CategoryMarginRates> {
    static final String PROPERTY = "memberpulse.campaign.category-margin-rates";

    @Override
    public CategoryMarginRates convert(String value) {
        if (value == null || value.isBlank()) {
            return null; // not set: no category has a rate of its own
        }
        try {
            return CategoryMarginRates.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PROPERTY + ": " + e.getMessage(), e);
        }
    }
}
