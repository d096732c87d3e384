package io.memberpulse.proto.checks;

import java.time.Instant;
import java.time.LocalDate;

/**
 * The checks of what a caller hands in over REST or gRPC, the same in every service, before a value reaches
 * PostgreSQL (which refuses a NUL in text, and years it cannot store: a 500 otherwise) or is stored wrong. Pure Java,
 * so each service's domain may call it where its values are built; the field is named as the caller spelled it.
 * <ul>
 *   <li>Ids and codes: at most {@link #MAX_ID_LENGTH} characters, no control character (ISO: U+0000-U+001F,
 *       U+007F-U+009F), which would make an invisible second id.</li>
 *   <li>Short text (a name): no control character, at most the length given.</li>
 *   <li>Free text (a note, a reason, a message's content): tab, line feed and carriage return are kept, other control
 *       characters refused; at most the length given.</li>
 *   <li>Instants: years 1900 to 9999 (no campaign, model or event of memberpulse lies outside).</li>
 *   <li>Amounts in the store currency: finite, 0 to {@link #MAX_AMOUNT}, so that sums and products of them over any
 *       number of members stay finite (a cost of 1e308 per touch made an ROI of "Infinity").</li>
 * </ul>
 */
public final class FieldChecks {
    /**
     * Longest id accepted, in characters: generous over what exists (member ids are UUIDs, segment ids at most 40
     * characters, store ids at most 64 in identity-service) and short enough to quote back in a gRPC status
     * description, which travels as an HTTP/2 header.
     */
    public static final int MAX_ID_LENGTH = 128;
    /** Longest name accepted (a campaign's, a segment's). */
    public static final int MAX_NAME_LENGTH = 200;
    public static final Instant EARLIEST_INSTANT = Instant.parse("1900-01-01T00:00:00Z");
    public static final Instant LATEST_INSTANT = Instant.parse("9999-12-31T23:59:59Z");
    /** Largest amount accepted in the store currency, as identity-service takes order lines. */
    public static final double MAX_AMOUNT = 10_000_000;
    /** How far ahead a follow-up may be planned. */
    public static final int MAX_FOLLOW_UP_DAYS = 366;

    private FieldChecks() {
    }

    /** Required (not blank), then as {@link #checkOptionalId}. */
    public static void checkId(String field, String id) {
        if (id == null || id.isBlank()) {
            throw new InvalidFieldException(field, "is required");
        }
        checkOptionalId(field, id);
    }

    /** Null or empty allowed; otherwise not longer than any id can be, no control characters. */
    public static void checkOptionalId(String field, String id) {
        checkText(field, id, MAX_ID_LENGTH);
    }

    /** Null allowed; otherwise at most maxLength characters and no control characters at all. */
    public static void checkText(String field, String value, int maxLength) {
        check(field, value, maxLength, false);
    }

    /** Null allowed; otherwise at most maxLength characters and no control characters but tab and line breaks. */
    public static void checkFreeText(String field, String value, int maxLength) {
        check(field, value, maxLength, true);
    }

    /** Null allowed; otherwise within years 1900..9999. */
    public static void checkInstant(String field, Instant instant) {
        checkInstant(field, instant, EARLIEST_INSTANT, LATEST_INSTANT);
    }

    /** Null allowed; otherwise within earliest..latest (rfm-service's queries take Timestamp's years 0001..9999). */
    public static void checkInstant(String field, Instant instant, Instant earliest, Instant latest) {
        if (instant != null && (instant.isBefore(earliest) || instant.isAfter(latest))) {
            throw new InvalidFieldException(field, instant + " is outside " + earliest + ".." + latest);
        }
    }

    /** Finite, 0 to {@link #MAX_AMOUNT} (NaN and infinities refused: gRPC carries them, and JSON's 1e999 reads as one). */
    public static void checkAmount(String field, double amount) {
        if (!(amount >= 0 && amount <= MAX_AMOUNT)) {
            throw new InvalidFieldException(field, "must be a finite amount within 0.." + String.format(java.util.Locale.ROOT,
                    "%.0f", MAX_AMOUNT));
        }
    }

    /**
     * Null allowed (no follow-up); otherwise from yesterday (today in a time zone behind the server's) to
     * {@link #MAX_FOLLOW_UP_DAYS} days after today.
     */
    public static void checkFollowUpDate(String field, LocalDate date, LocalDate today) {
        if (date == null) {
            return;
        }
        LocalDate earliest = today.minusDays(1);
        LocalDate latest = today.plusDays(MAX_FOLLOW_UP_DAYS);
        if (date.isBefore(earliest) || date.isAfter(latest)) {
            throw new InvalidFieldException(field, date + " is outside " + earliest + ".." + latest
                    + " (from yesterday to a year ahead)");
        }
    }

    private static void check(String field, String value, int maxLength, boolean freeText) {
        if (value == null) {
            return;
        }
        if (value.length() > maxLength) {
            throw new InvalidFieldException(field, "is " + value.length() + " characters long, at most " + maxLength
                    + " are accepted");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c) && !(freeText && (c == '\t' || c == '\n' || c == '\r'))) {
                throw new InvalidFieldException(field, freeText
                        ? "must not contain control characters other than tab and line breaks"
                        : "must not contain control characters");
            }
        }
    }
}
