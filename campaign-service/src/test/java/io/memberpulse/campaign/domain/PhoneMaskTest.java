package io.memberpulse.campaign.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PhoneMaskTest {
    @Test
    void staffSeeTheFirstThreeAndLastFourDigitsOnly() {
        assertThat(PhoneMask.mask("+86 138-0013-8000")).contains("138****8000");
        assertThat(PhoneMask.mask("13800138000")).contains("138****8000");
        assertThat(PhoneMask.mask("0086 139 1234 5678")).contains("139****5678");
        assertThat(PhoneMask.mask("138****8000")).contains("138****8000");
        assertThat(PhoneMask.mask("")).isEmpty();
        assertThat(PhoneMask.mask("12345")).isEmpty();
    }

    @Test
    void aShorterNumberShowsOnlyItsLastFourDigits() {
        assertThat(PhoneMask.mask("9123 4567")).contains("****4567");
        assertThat(PhoneMask.mask("912345678")).contains("****5678");
        assertThat(PhoneMask.mask("0912345678")).contains("****5678");
        assertThat(PhoneMask.mask("01012345678")).contains("010****5678");
    }

    @Test
    void aPhoneReportedMaskedIsKeptOnlyWhenItShowsNoMoreThanThat() {
        assertThat(PhoneMask.mask("+86 138****8000")).contains("138****8000");
        assertThat(PhoneMask.mask("138*****000")).contains("138*****000");
        // A star somewhere does not make a phone masked: these show ten or eleven of its digits.
        assertThat(PhoneMask.mask("13800138000*")).isEmpty();
        assertThat(PhoneMask.mask("1380013800*0")).isEmpty();
        assertThat(PhoneMask.mask("*13800138000")).isEmpty();
        assertThat(PhoneMask.mask("1380***8000")).as("three stars hide three digits, staff would see eight").isEmpty();
        assertThat(PhoneMask.mask("138**0**8000")).as("two runs of stars show a digit between them").isEmpty();
    }
}
