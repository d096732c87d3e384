package io.memberpulse.proto.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memberpulse.proto.checks.InvalidFieldException;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class InstantParametersTest {
    static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

    @Test
    void aDateIsTheStartOfThatDayOnTheChainsCalendar() {
        assertThat(InstantParameters.parse("asOf", "2011-09-10", SHANGHAI)).isEqualTo(Instant.parse("2011-09-09T16:00:00Z"));
        assertThat(InstantParameters.parse("asOf", "2011-09-10", ZoneId.of("UTC"))).isEqualTo(Instant.parse("2011-09-10T00:00:00Z"));
    }

    @Test
    void anInstantCarriesItsOffset() {
        assertThat(InstantParameters.parse("from", "2011-09-10T08:00:00+08:00", SHANGHAI))
                .isEqualTo(Instant.parse("2011-09-10T00:00:00Z"));
        assertThat(InstantParameters.parse("from", "2011-09-10T00:00:00.5Z", SHANGHAI))
                .isEqualTo(Instant.parse("2011-09-10T00:00:00.5Z"));
    }

    @Test
    void anythingElseIsRefusedNamingTheParameter() {
        for (String text : new String[] {"2011-09-10T00:00:00", "yesterday", "2011-13-01", "", "20110910"}) {
            assertThatThrownBy(() -> InstantParameters.parse("to", text, SHANGHAI)).as(text)
                    .isInstanceOfSatisfying(InvalidFieldException.class, e -> {
                        assertThat(e.field()).isEqualTo("to");
                        assertThat(e.reason()).startsWith("must be a date (2011-09-10: the start of that day in Asia/Shanghai)");
                    });
        }
        assertThatThrownBy(() -> InstantParameters.parse("asOf", "-10000-01-01T00:00:00Z", SHANGHAI))
                .isInstanceOfSatisfying(InvalidFieldException.class, e -> assertThat(e.reason()).contains("is outside"));
    }
}
