package io.memberpulse.campaign.domain;

import io.memberpulse.proto.checks.FieldChecks;
import java.time.LocalDate;
import java.util.Objects;

/**
 * What staff recorded for a call. Reached and result must agree: an unreached member has the result
 * NOT_REACHED, a reached one any other.
 */
public record Outcome(boolean reached, OutcomeResult result, String note, LocalDate followUpDate) {
    public static final int MAX_NOTE_LENGTH = 2_000;

    public Outcome {
        if (result == null) {
            throw new InvalidArgumentException("result", "is required");
        }
        if (reached == (result == OutcomeResult.NOT_REACHED)) {
            throw new InvalidArgumentException("result", reached
                    ? "a reached member cannot have the result not_reached"
                    : "an unreached member has the result not_reached");
        }
        note = note == null ? "" : note.strip();
        if (note.length() > MAX_NOTE_LENGTH) {
            throw new InvalidArgumentException("note", "at most " + MAX_NOTE_LENGTH + " characters");
        }
    }

    /**
     * The checks of an outcome staff report now, beyond those of every outcome (a stored one included): the note is
     * text PostgreSQL can store (tab and line breaks kept, no other control character), and a follow-up is from
     * yesterday to a year after today (a year -1 cannot be stored, one in 20206 is a typo).
     */
    public Outcome checkReported(LocalDate today) {
        FieldChecks.checkFreeText("note", note, MAX_NOTE_LENGTH);
        FieldChecks.checkFollowUpDate("follow_up_date", followUpDate, today);
        return this;
    }

    /** A second submit of the same outcome (a retry, a double tap) is the same outcome. */
    public boolean sameAs(Outcome other) {
        return other != null && reached == other.reached && result == other.result && note.equals(other.note)
                && Objects.equals(followUpDate, other.followUpDate);
    }
}
