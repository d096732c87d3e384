package io.memberpulse.campaign;

import io.memberpulse.campaign.domain.StoreCallCapacities;
import org.eclipse.microprofile.config.spi.Converter;

/**
 * memberpulse.campaign.store-call-capacities read and checked where the configuration is read, as the category margin
 * rates are (CategoryMarginRatesConverter): a pair that is not store-id:N, a number below 0 or a store given twice
 * fails the start, naming the property and the pair, instead of the first call list.
 */
public final class StoreCallCapacitiesConverter implements Converter<StoreCallCapacities> {
    static final String PROPERTY = "memberpulse.campaign.store-call-capacities";

    @Override
    public StoreCallCapacities convert(String value) {
        if (value == null || value.isBlank()) {
            return null; // not set: every store calls daily-call-capacity
        }
        try {
            return StoreCallCapacities.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PROPERTY + ": " + e.getMessage(), e);
        }
    }
}
