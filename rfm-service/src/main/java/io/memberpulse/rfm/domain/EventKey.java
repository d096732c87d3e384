package io.memberpulse.rfm.domain;

import java.util.Locale;

/**
 * What identifies a fact everywhere in memberpulse: its channel and its event id within that channel.
 * Sources are kept as the channel-event CSV spells them (pos, miniapp, ...).
 */
public record EventKey(String source, String eventId) {
    public EventKey {
        if (source == null || source.isBlank() || eventId == null || eventId.isBlank()) {
            throw new InvalidIdentityChangeException("event_keys: needs a source and an event id, got " + source + ":" + eventId);
        }
    }

    /** Reads "source:event_id" (the event id may itself contain ':'); "SOURCE_POS" reads as "pos". */
    public static EventKey parse(String text) {
        int colon = text == null ? -1 : text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new InvalidIdentityChangeException("event_keys: '" + text + "' is not source:event_id");
        }
        return new EventKey(normalSource(text.substring(0, colon)), text.substring(colon + 1));
    }

    public static String normalSource(String source) {
        String lower = source.trim().toLowerCase(Locale.ROOT);
        return lower.startsWith("source_") ? lower.substring("source_".length()) : lower;
    }

    @Override
    public String toString() {
        return source + ":" + eventId;
    }
}
