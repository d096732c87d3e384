package io.memberpulse.proto.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memberpulse.proto.checks.FieldChecks;
import io.memberpulse.proto.checks.InvalidFieldException;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class InstantParametersTest {
    static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    static final Instant YEAR_1 = Instant.parse("0001-01-01T00:00:00Z");
    static final Instant YEAR_9999_END = Instant.parse("9999-12-31T23:59:59Z");

    /** As rfm-service reads its parameters: within google.protobuf.Timestamp's years 0001..9999. */
    private static Instant parse(String field, String text, ZoneId dayZone) {
        return InstantParameters.parse(field, text, dayZone, YEAR_1, YEAR_9999_END);
    }

    /** The caller's bounds, not FieldChecks' 1900: rfm's REST asOf took no year before 1900, its gRPC as_of did. */
    @Test
    void theBoundsAreTheCallers() {
        assertThat(parse("asOf", "1850-01-01T00:00:00Z", SHANGHAI)).isEqualTo(Instant.parse("1850-01-01T00:00:00Z"));
        assertThatThrownBy(() -> InstantParameters.parse("asOf", "1850-01-01T00:00:00Z", SHANGHAI,
                FieldChecks.EARLIEST_INSTANT, FieldChecks.LATEST_INSTANT))
                .isInstanceOfSatisfying(InvalidFieldException.class, e -> assertThat(e.reason())
                        .isEqualTo("1850-01-01T00:00:00Z is outside 1900-01-01T00:00:00Z..9999-12-31T23:59:59Z"));
    }

    @Test
    void aDateIsTheStartOfThatDayOnTheChainsCalendar() {
        assertThat(parse("asOf", "2011-09-10", SHANGHAI)).isEqualTo(Instant.parse("2011-09-09T16:00:00Z"));
        assertThat(parse("asOf", "2011-09-10", ZoneId.of("UTC"))).isEqualTo(Instant.parse("2011-09-10T00:00:00Z"));
    }

    @Test
    void anInstantCarriesItsOffset() {
        assertThat(parse("from", "2011-09-10T08:00:00+08:00", SHANGHAI))
                .isEqualTo(Instant.parse("2011-09-10T00:00:00Z"));
        assertThat(parse("from", "2011-09-10T00:00:00.5Z", SHANGHAI))
                .isEqualTo(Instant.parse("2011-09-10T00:00:00.5Z"));
    }

    @Test
    void anythingElseIsRefusedNamingTheParameter() {
        for (String text : new String[] {"2011-09-10T00:00:00", "yesterday", "2011-13-01", "", "20110910"}) {
            assertThatThrownBy(() -> parse("to", text, SHANGHAI)).as(text)
                    .isInstanceOfSatisfying(InvalidFieldException.class, e -> {
                        assertThat(e.field()).isEqualTo("to");
                        assertThat(e.reason()).startsWith("must be a date (2011-09-10: the start of that day in Asia/Shanghai)");
                    });
        }
        assertThatThrownBy(() -> parse("asOf", "-10000-01-01T00:00:00Z", SHANGHAI))
                .isInstanceOfSatisfying(InvalidFieldException.class, e -> assertThat(e.reason()).contains("is outside"));
    }
}
