package io.memberpulse.identity.domain;

/**
 * How events and orders are named across batches and in storage: "source:event_id" (the text of
 * channel_event.duplicate_of, so it must not change) and "source:order_id". A source is a channel code ("pos") and
 * holds no ':'; an id may, so a key is split at its first ':', as the SQL reading duplicate_of does (split_part).
 */
public final class EventKeys {
    private EventKeys() {
    }

    /** "source:event_id". */
    public static String event(String source, String eventId) {
        return source + ":" + eventId;
    }

    /** "source:order_id". */
    public static String order(String source, String orderId) {
        return source + ":" + orderId;
    }

    /** The source an event or order key names: the text before its first ':'. */
    public static String source(String key) {
        int colon = key.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("key \"" + key + "\" is not \"source:id\": it has no ':'");
        }
        return key.substring(0, colon);
    }
}
