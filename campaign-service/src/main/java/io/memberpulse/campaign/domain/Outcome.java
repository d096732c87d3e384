package io.memberpulse.campaign.domain;

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

    /** A second submit of the same outcome (a retry, a double tap) is the same outcome. */
    public boolean sameAs(Outcome other) {
        return other != null && reached == other.reached && result == other.result && note.equals(other.note)
                && Objects.equals(followUpDate, other.followUpDate);
    }
}
