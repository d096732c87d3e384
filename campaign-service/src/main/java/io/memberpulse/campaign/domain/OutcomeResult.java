package io.memberpulse.campaign.domain;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a call achieved. */
public enum OutcomeResult {
    NOT_REACHED, WILL_RETURN, NOT_INTERESTED, COMPLAINT,
    /** The member asked not to be called again: no SOP rule calls them after this, cool-down or not. */
    OPTED_OUT;

    /** Reads "will_return" or "WILL_RETURN"; refuses anything else naming the field. */
    public static OutcomeResult parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidArgumentException("result", "is required (" + names() + ")");
        }
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException("result", "unknown result '" + text + "' (" + names() + ")");
        }
    }

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    private static String names() {
        return Arrays.stream(values()).map(OutcomeResult::code).collect(Collectors.joining(", "));
    }
}
