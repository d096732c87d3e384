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
}
