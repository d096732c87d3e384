package io.memberpulse.campaign.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Currency;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class MoneyTest {
    @Test
    void withoutALocaleAmountsTakeTheCurrencysLocalSymbol() {
        assertThat(Money.CNY.format(1342.4)).isEqualTo("¥1,342");
        assertThat(new Money(Currency.getInstance("GBP"), null).format(1342.5)).isEqualTo("£1,343");
        assertThat(new Money(Currency.getInstance("USD"), null).format(12)).isEqualTo("$12");
    }

    @Test
    void withALocaleAmountsAreWrittenAsThatLocaleWritesTheCurrency() {
        assertThat(new Money(Currency.getInstance("GBP"), Locale.UK).format(1342.4)).isEqualTo("£1,342");
        assertThat(new Money(Currency.getInstance("EUR"), Locale.GERMANY).format(1342.4)).isEqualTo("1.342\u00a0€");
    }
}
