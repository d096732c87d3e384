package io.memberpulse.campaign;

import java.util.Currency;
import org.eclipse.microprofile.config.spi.Converter;

/**
 * memberpulse.campaign.currency read and checked where the configuration is read: an ISO 4217 code (CNY, GBP), so
 * that a misspelt one fails the start naming the property and the value, not the first call list.
 */
public final class CurrencyConverter implements Converter<Currency> {
    static final String PROPERTY = "memberpulse.campaign.currency";

    @Override
    public Currency convert(String value) {
        String text = value == null ? "" : value.strip();
        if (text.isEmpty()) {
            return null; // not set: the default applies
        }
        try {
            return Currency.getInstance(text.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PROPERTY + " must be an ISO 4217 currency code such as CNY or GBP, was '"
                    + value + "'");
        }
    }
}
