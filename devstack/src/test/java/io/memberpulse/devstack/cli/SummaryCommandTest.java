package io.memberpulse.devstack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SummaryCommandTest {

    @Test
    void dueTimesArePrintedToTheMinuteInUtc() {
        assertEquals("2026-12-07 23:20", SummaryCommand.toMinute("2026-12-07T23:20:49.044028Z"));
        assertEquals("2026-12-08 07:05", SummaryCommand.toMinute("2026-12-08T15:05:00+08:00"));
    }

    @Test
    void aTimeThatIsNotAnInstantIsPrintedAsItCame() {
        assertEquals("", SummaryCommand.toMinute(""));
        assertEquals("tomorrow", SummaryCommand.toMinute("tomorrow"));
    }
}
