package io.memberpulse.proto.checks;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/** The checks every service applies to what callers hand in, REST and gRPC alike. */
class FieldChecksTest {

    @Test
    void anIdIsRequiredShortAndFreeOfControlCharacters() {
        assertThatCode(() -> FieldChecks.checkId("member_id", "m-1")).doesNotThrowAnyException();
        assertThatThrownBy(() -> FieldChecks.checkId("member_id", " ")).isInstanceOf(InvalidFieldException.class)
                .hasMessage("is required").extracting("field").isEqualTo("member_id");
        assertThatThrownBy(() -> FieldChecks.checkId("store_id", "s\u00001")).hasMessageStartingWith(
                "must not contain control characters");
        assertThatThrownBy(() -> FieldChecks.checkId("version", "v".repeat(129)))
                .hasMessage("is 129 characters long, at most 128 are accepted");
        assertThatCode(() -> FieldChecks.checkOptionalId("store_id", "")).doesNotThrowAnyException();
    }

    @Test
    void freeTextKeepsTabsAndLineBreaksButNoOtherControlCharacter() {
        assertThatCode(() -> FieldChecks.checkFreeText("note", "called\ttwice\r\nwill return", 2_000))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> FieldChecks.checkFreeText("note", "a\u0000b", 2_000))
                .hasMessage("must not contain control characters other than tab and line breaks");
        assertThatThrownBy(() -> FieldChecks.checkText("name", "two\nlines", 200)).hasMessage(
                "must not contain control characters");
        assertThatThrownBy(() -> FieldChecks.checkFreeText("content", "x".repeat(11), 10))
                .hasMessage("is 11 characters long, at most 10 are accepted");
    }

    @Test
    void anInstantLiesWithinTheYears1900To9999() {
        assertThatCode(() -> FieldChecks.checkInstant("start_at", Instant.parse("2026-01-01T00:00:00Z")))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> FieldChecks.checkInstant("start_at", Instant.parse("-0001-01-01T00:00:00Z")))
                .hasMessageContaining("is outside 1900-01-01T00:00:00Z..9999-12-31T23:59:59Z");
        assertThatThrownBy(() -> FieldChecks.checkInstant("end_at", Instant.parse("+10000-01-01T00:00:00Z")))
                .extracting("field").isEqualTo("end_at");
    }

    @Test
    void anAmountIsFiniteAndAtMostTenMillion() {
        assertThatCode(() -> FieldChecks.checkAmount("touch_cost", 10_000_000)).doesNotThrowAnyException();
        for (double bad : new double[] {-0.01, 10_000_000.01, Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NaN}) {
            assertThatThrownBy(() -> FieldChecks.checkAmount("touch_cost", bad))
                    .hasMessage("must be a finite amount within 0..10000000");
        }
    }

    @Test
    void aFollowUpIsFromYesterdayToAYearAhead() {
        LocalDate today = LocalDate.parse("2026-12-06");
        assertThatCode(() -> FieldChecks.checkFollowUpDate("follow_up_date", today.minusDays(1), today))
                .doesNotThrowAnyException();
        assertThatCode(() -> FieldChecks.checkFollowUpDate("follow_up_date", today.plusDays(366), today))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> FieldChecks.checkFollowUpDate("follow_up_date", today.minusDays(2), today))
                .hasMessage("2026-12-04 is outside 2026-12-05..2027-12-07 (from yesterday to a year ahead)");
        assertThatThrownBy(() -> FieldChecks.checkFollowUpDate("follow_up_date", LocalDate.parse("+10000-01-01"), today))
                .isInstanceOf(InvalidFieldException.class);
    }
}
