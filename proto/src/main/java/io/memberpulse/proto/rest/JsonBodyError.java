package io.memberpulse.proto.rest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.util.Collection;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a REST caller is told about a body Jackson could not read, the same in every service: the field, as its
 * JSON path ({@code variants[1]}), or {@code body} when the text is not JSON at all, and why, in JSON's terms
 * rather than Java's ({@code must be a number, was "x"}). A field the body does not have ({@code targetSegment}, in a
 * service whose mapper fails on unknown properties) is named with the fields it does have, so a misspelling is not
 * silently dropped. A value of the right kind Jackson still cannot take (a number beyond an int's range) is named by its
 * field too, with the range.
 */
public record JsonBodyError(String field, String reason) {
    public static final String BODY = "body";

    public static JsonBodyError of(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException unknown && !unknown.getPath().isEmpty()) {
            return new JsonBodyError(pathOf(unknown), unknownField(unknown));
        }
        if (e instanceof MismatchedInputException mismatch && !mismatch.getPath().isEmpty()) {
            return new JsonBodyError(pathOf(mismatch), expectation(mismatch));
        }
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()
                && !(mapping.getCause() instanceof JsonParseException)) {
            // a value of the right kind Jackson still could not take (a number out of an int's range): its field. Text
            // that stops being JSON inside a field (cut off, a stray character) is the body's fault, not the field's.
            return new JsonBodyError(pathOf(mapping), unusable(mapping));
        }
        JsonLocation location = e.getLocation();
        String where = location == null || location.getLineNr() < 1 ? ""
                : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
        return new JsonBodyError(BODY, "malformed JSON" + where + ": " + e.getOriginalMessage());
    }

    /** {@code field: reason}, the problem document's detail. */
    public String detail() {
        return field + ": " + reason;
    }

    private static String pathOf(JsonMappingException e) {
        return e.getPath().stream().map(JsonBodyError::step).collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String step(JsonMappingException.Reference reference) {
        return reference.getFieldName() != null ? reference.getFieldName() : "[" + reference.getIndex() + "]";
    }

    private static String unusable(JsonMappingException e) {
        Throwable cause = e.getCause();
        if (cause instanceof InputCoercionException coercion) {
            Class<?> type = coercion.getTargetType();
            if (type == Integer.class || type == int.class) {
                return "must be a whole number within " + Integer.MIN_VALUE + ".." + Integer.MAX_VALUE;
            }
            if (type == Long.class || type == long.class) {
                return "must be a whole number within " + Long.MIN_VALUE + ".." + Long.MAX_VALUE;
            }
            return "is out of range for " + kindOf(type).replaceFirst("^an? ", "");
        }
        String message = cause instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getOriginalMessage();
        return "cannot be read: " + (message == null ? "unusable value" : message.lines().findFirst().orElse(""));
    }

    private static String unknownField(UnrecognizedPropertyException e) {
        Collection<Object> known = e.getKnownPropertyIds();
        return known == null || known.isEmpty() ? "is not a known field"
                : "is not a known field (known: " + known.stream().map(String::valueOf).sorted()
                        .collect(Collectors.joining(", ")) + ")";
    }

    private static String expectation(MismatchedInputException e) {
        String expected = "must be " + kindOf(e.getTargetType());
        if (e instanceof InvalidFormatException invalid && invalid.getValue() != null) {
            Object value = invalid.getValue();
            return expected + ", was " + (value instanceof String text ? "\"" + text + "\"" : value);
        }
        return expected;
    }

    private static String kindOf(Class<?> type) {
        if (type == null) {
            return "another kind of value";
        }
        if (Number.class.isAssignableFrom(type) || (type.isPrimitive() && type != boolean.class && type != char.class)) {
            return type == Integer.class || type == Long.class || type == int.class || type == long.class
                    || type == Short.class || type == short.class ? "a whole number" : "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (CharSequence.class.isAssignableFrom(type) || type == Character.class || type == char.class) {
            return "a string";
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        if (type.isEnum()) {
            return "a string";
        }
        return Map.class.isAssignableFrom(type) || !type.getName().startsWith("java.") ? "an object" : "a string";
    }
}
