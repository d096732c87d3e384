package io.memberpulse.campaign;

import org.eclipse.microprofile.config.spi.Converter;

/**
 * memberpulse.campaign.default-margin-rate read and checked where the configuration is read, so that a rate out of
 * (0, 1] fails the start (SmallRye names the property and the value) instead of the first review: the bound of
 * rfm-service's MarginRates, which fails its start alike. 0 would make every campaign's gain on lines without a rate
 * vanish (ROI 0 whatever it sold), above 1 a margin larger than the sale.
 */
public final class MarginRateConverter implements Converter<Double> {
    static final String PROPERTY = "memberpulse.campaign.default-margin-rate";

    @Override
    public Double convert(String value) {
        String text = value == null ? "" : value.strip();
        if (text.isEmpty()) {
            return null; // not set: the default applies, as for any property
        }
        double rate;
        try {
            rate = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PROPERTY + " must be a number within (0, 1], was '" + value + "'");
        }
        if (!(rate > 0 && rate <= 1)) {
            throw new IllegalArgumentException(PROPERTY + " must be within (0, 1], was " + text);
        }
        return rate;
    }
}
