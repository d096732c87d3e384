package io.memberpulse.identity.api.rest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.memberpulse.identity.api.EventFormat;
import io.memberpulse.identity.api.FieldError;
import io.memberpulse.identity.api.FieldLimits;
import java.io.IOException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * One JSON event's plain values as text cells, read token by token from the parser: a key that is no column, a nested
 * value and a value cut by {@link JsonValueCap} are refused, naming the field, and skipped unread (a tree of the
 * object would hold a nested array of millions of numbers whole, however the row is refused). The first refusal is
 * thrown once the object is read to its end, so that the parser stands at the next event.
 */
final class JsonEventCells {
    /** How JSON's unknown keys are answered, as the other services' JsonBodyError answers an unknown field. */
    static final String UNKNOWN_KEY = "is not a known field (known: "
            + EventFormat.COLUMNS.stream().sorted().collect(Collectors.joining(", ")) + ")";

    static final String NUMBER_TOO_LONG = String.format(Locale.ROOT, "is a number over %,d characters long",
            JsonValueCap.MAX_NUMBER_BYTES);

    private JsonEventCells() {
    }

    /** @param parser at the object's START_OBJECT; left at its END_OBJECT */
    static Map<String, String> read(JsonParser parser, JsonValueCap cap, String path) throws IOException {
        Map<String, String> cells = new HashMap<>();
        FieldError refused = null;
        for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
            String key = parser.currentName();
            JsonToken value = parser.nextToken();
            FieldError error = null;
            if (!EventFormat.COLUMNS.contains(key)) {
                error = new FieldError(path + key, UNKNOWN_KEY);
                parser.skipChildren(); // a string or a nested value left unread: skipped without being held
            } else if (value.isStructStart()) {
                error = new FieldError(path + key, "must be a plain value, not an object or array");
                parser.skipChildren();
            } else if (value != JsonToken.VALUE_NULL) {
                // read through the cap (at most its bytes), which only then knows whether it cut the string
                String text = parser.getText();
                if (cap.wasCut(parser.currentTokenLocation().getByteOffset())) {
                    error = new FieldError(path + key, value == JsonToken.VALUE_STRING ? tooLong(key) : NUMBER_TOO_LONG);
                } else {
                    cells.put(key, text);
                }
            }
            refused = refused == null ? error : refused;
        }
        if (refused != null) {
            throw new InvalidRequestException(refused.field(), refused.reason());
        }
        return cells;
    }

    private static String tooLong(String column) {
        OptionalInt max = FieldLimits.maxLength(column);
        String over = String.format(Locale.ROOT, "is over %,d bytes long", JsonValueCap.MAX_STRING_BYTES);
        return max.isPresent() ? over + ", at most " + max.getAsInt() + " characters are accepted"
                : over + ", more than any value of it can be";
    }
}
