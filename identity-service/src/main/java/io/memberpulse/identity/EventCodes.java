package io.memberpulse.identity;

import com.google.protobuf.Timestamp;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.Source;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** How channel events spell their channel, type and times on the wire, in the CSV and in channel_event. */
public final class EventCodes {
    /** The CSV's spelling of each channel ("pos"), made once: an import asks for it several times per event. */
    private static final Map<Source, String> SOURCE_CODES = codes(Source.class, "SOURCE_");
    private static final Map<EventType, String> TYPE_CODES = codes(EventType.class, "EVENT_TYPE_");

    /** The channels by their CSV spelling in capitals ("POS"), made once; none for "unspecified". */
    private static final Map<String, Source> SOURCES = sources();

    static String sourceCode(ChannelEvent event) {
        return SOURCE_CODES.get(event.getSource());
    }

    /**
     * A channel as the CSV spells it ({@link #sourceCode}), in any case ("pos", "POS"), or empty when it names none:
     * how an import, a request and a stored order name one.
     */
    public static Optional<Source> source(String code) {
        return Optional.ofNullable(SOURCES.get(code.toUpperCase(Locale.ROOT)));
    }

    private static Map<String, Source> sources() {
        Map<String, Source> sources = new HashMap<>();
        for (Source source : Source.values()) {
            if (source != Source.SOURCE_UNSPECIFIED && source != Source.UNRECOGNIZED) {
                sources.put(source.name().substring("SOURCE_".length()), source);
            }
        }
        return Map.copyOf(sources);
    }

    static String typeCode(ChannelEvent event) {
        return TYPE_CODES.get(event.getType());
    }

    private static <E extends Enum<E>> Map<E, String> codes(Class<E> type, String prefix) {
        Map<E, String> codes = new EnumMap<>(type);
        for (E constant : type.getEnumConstants()) {
            codes.put(constant, constant.name().substring(prefix.length()).toLowerCase(Locale.ROOT));
        }
        return codes;
    }

    static Instant instant(Timestamp timestamp) {
        return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
    }

    static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    private EventCodes() {
    }
}
