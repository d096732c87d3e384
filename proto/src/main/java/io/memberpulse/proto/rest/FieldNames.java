package io.memberpulse.proto.rest;

import com.google.common.base.CaseFormat;

/**
 * A field as a REST caller spells it. The domain names fields as the protobuf wire does ({@code follow_up_date},
 * {@code parts[0].event_keys}), which is what a gRPC caller sees; REST bodies and parameters spell the same
 * fields in lower camel case ({@code followUpDate}, {@code parts[0].eventKeys}).
 */
public final class FieldNames {
    private FieldNames() {
    }

    public static String asJson(String wireName) {
        return CaseFormat.LOWER_UNDERSCORE.to(CaseFormat.LOWER_CAMEL, wireName);
    }
}
