package io.memberpulse.campaign.domain;

import java.math.RoundingMode;
import java.text.NumberFormat;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Currency;
import java.util.Locale;
import java.util.Objects;

/**
 * How amounts read on talking points: in the chain's currency (memberpulse.campaign.currency, ISO 4217), in whole
 * units. With a locale (memberpulse.campaign.currency-locale), as that locale writes the currency (NumberFormat: "1.234 €"
 * in de-DE); without, the currency's symbol where it is the local currency (¥ for CNY, £ for GBP, $ for USD; its code
 * where no locale uses it) before the amount, thousands separated by commas. Online Retail is in GBP: a hard-coded ¥
 * read its pounds as yuan.
 */
public final class Money {
    /** The default, memberpulse.campaign.currency's: yuan, as "¥1,234". */
    public static final Money CNY = new Money(Currency.getInstance("CNY"), null);

    private final Currency currency;
    private final Locale locale;
    private final String symbol;

    /** @param locale how amounts are written; null: the currency's local symbol, then the amount */
    public Money(Currency currency, Locale locale) {
        this.currency = Objects.requireNonNull(currency, "currency");
        this.locale = locale;
        this.symbol = localSymbol(currency);
    }

    public Currency currency() {
        return currency;
    }

    /** How amounts are written (memberpulse.campaign.currency-locale); null: the currency's local symbol first. */
    public Locale locale() {
        return locale;
    }

    /** The amount in whole units of the currency, half up. */
    public String format(double amount) {
        if (locale == null) {
            return String.format(Locale.ROOT, "%s%,.0f", symbol, amount);
        }
        // NumberFormat is not thread-safe: one per call (a call list formats a few hundred amounts at most).
        NumberFormat format = NumberFormat.getCurrencyInstance(locale);
        format.setCurrency(currency);
        format.setMinimumFractionDigits(0);
        format.setMaximumFractionDigits(0);
        format.setRoundingMode(RoundingMode.HALF_UP);
        return format.format(amount);
    }

    /**
     * The symbol the currency has where it is the local one: the first such locale by language tag, so that every
     * replica writes the same; the code where none is (Locale.ROOT's symbol is the code or "CN¥"-like).
     */
    private static String localSymbol(Currency currency) {
        return Arrays.stream(Locale.getAvailableLocales())
                .filter(l -> !l.getCountry().isEmpty() && l.getVariant().isEmpty() && l.getScript().isEmpty())
                .filter(l -> currency.equals(currencyOf(l)))
                .sorted(Comparator.comparing(Locale::toLanguageTag))
                .map(currency::getSymbol)
                .filter(s -> !s.equals(currency.getCurrencyCode()))
                .findFirst().orElse(currency.getCurrencyCode());
    }

    private static Currency currencyOf(Locale locale) {
        try {
            return Currency.getInstance(locale);
        } catch (IllegalArgumentException e) {
            return null; // a region without a currency of its own (Antarctica)
        }
    }
}
