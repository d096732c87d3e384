package io.memberpulse.campaign;

import java.util.Locale;
import java.util.Set;
import org.eclipse.microprofile.config.spi.Converter;

/**
 * memberpulse.campaign.currency-locale read and checked at start: a BCP 47 tag with an ISO 639 language (en-GB,
 * de-DE); Locale.forLanguageTag reads anything else ("en_GB", "english") as some locale, silently.
 */
public final class LocaleConverter implements Converter<Locale> {
    static final String PROPERTY = "memberpulse.campaign.currency-locale";
    private static final Set<String> ISO_LANGUAGES = Set.of(Locale.getISOLanguages());

    @Override
    public Locale convert(String value) {
        String text = value == null ? "" : value.strip();
        if (text.isEmpty()) {
            return null; // not set: the currency's own symbol
        }
        Locale locale = Locale.forLanguageTag(text);
        if (!ISO_LANGUAGES.contains(locale.getLanguage()) || !locale.toLanguageTag().equalsIgnoreCase(text)) {
            throw new IllegalArgumentException(PROPERTY + " must be a BCP 47 language tag such as en-GB, was '" + value + "'");
        }
        return locale;
    }
}
