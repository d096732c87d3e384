package io.memberpulse.proto.rest;

/**
 * A field as a REST caller spells it. The domain names fields as the protobuf wire does ({@code follow_up_date},
 * {@code parts[0].event_keys}), which is what a gRPC caller sees; REST bodies and parameters spell the same
 * fields in lower camel case ({@code followUpDate}, {@code parts[0].eventKeys}). A name already in camel case
 * ({@code asOf}) is left as it is.
 */
public final class FieldNames {
    private FieldNames() {
    }

    public static String asJson(String wireName) {
        StringBuilder json = new StringBuilder(wireName.length());
        boolean upperNext = false;
        for (char c : wireName.toCharArray()) {
            if (c == '_' && json.length() > 0) {
                upperNext = true;
            } else {
                json.append(upperNext ? Character.toUpperCase(c) : c);
                upperNext = false;
            }
        }
        return json.toString();
    }
}
