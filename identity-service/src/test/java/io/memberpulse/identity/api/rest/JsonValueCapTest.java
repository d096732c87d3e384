package io.memberpulse.identity.api.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Strings, numbers and nesting past the caps are cut where the parser still reads JSON, and only those cut are reported. */
class JsonValueCapTest {
    static final int MAX = JsonValueCap.MAX_STRING_BYTES;

    record Read(String text, boolean cut) {
    }

    @Test
    void shortStringsPassWholeAndLongOnesAreCutToTheCap() throws IOException {
        List<Read> read = strings("{\"a\": \"short\", \"b\": \"" + "x".repeat(MAX + 10) + "\", \"c\": \"after\"}");

        assertThat(read).extracting(Read::text).containsExactly("a", "short", "b", "x".repeat(MAX), "c", "after");
        assertThat(read).extracting(Read::cut).containsExactly(false, false, false, true, false, false);
    }

    @Test
    void aCutFallsNeitherInsideAnEscapeNorInsideACharacter() throws IOException {
        // escapes (\" \\ \u4e2d) and 3-byte characters straddling the cap: each whole or dropped
        for (String unit : List.of("\\\"", "\\\\", "\\u4e2d", "中", "é\\n")) {
            int units = MAX / unit.getBytes(StandardCharsets.UTF_8).length + 3;
            for (int shift = 0; shift < 6; shift++) {
                String value = "y".repeat(shift) + unit.repeat(units);
                List<Read> read = strings("[\"" + value + "\", \"next\"]");
                assertThat(read).as(unit + " shifted " + shift).extracting(Read::cut).containsExactly(true, false);
                assertThat(read.get(1).text()).isEqualTo("next");
                String expected = new ObjectMapper().readValue("\"" + value + "\"", String.class);
                assertThat(expected).startsWith(read.get(0).text());
            }
        }
    }

    @Test
    void aLongNumberIsCutAfterADigitAndOnlyItIsReportedCut() throws IOException {
        String digits = "7".repeat(JsonValueCap.MAX_NUMBER_BYTES + 400);
        for (String number : List.of(digits, "-" + digits, "1." + digits + "e+12", "1" + "0".repeat(510) + "e+" + digits,
                "12", "-0.5e-3")) {
            List<Read> read = values("[" + number + ", 42]");
            boolean longOne = number.length() > JsonValueCap.MAX_NUMBER_BYTES;
            assertThat(read).as(number.substring(0, Math.min(20, number.length()))).extracting(Read::cut)
                    .containsExactly(longOne, false);
            assertThat(read.get(0).text().length()).isLessThanOrEqualTo(JsonValueCap.MAX_NUMBER_BYTES + 2);
            assertThat(number).startsWith(read.get(0).text());
            assertThat(read.get(1).text()).isEqualTo("42");
        }
    }

    @Test
    void anArrayOrObjectOpeningAtTheDepthCapIsReadEmptyAndTheValuesAfterItAsSent() throws IOException {
        int deep = 3_000;
        String nested = "[{\"k\": ".repeat(deep) + "\"]}[{\\\"\"" + "}]".repeat(deep);
        List<Read> read = values("[" + nested + ", \"after\", 5]");

        assertThat(read).extracting(Read::text).endsWith("after", "5");
        assertThat(read).extracting(Read::cut).containsOnly(false);
    }

    /** Every string and number token (names too) as the parser reads it through the cap. */
    private static List<Read> values(String json) throws IOException {
        JsonValueCap cap = new JsonValueCap(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
        List<Read> read = new ArrayList<>();
        try (JsonParser parser = new ObjectMapper().createParser(cap)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token == JsonToken.VALUE_STRING || token.isNumeric()) {
                    long at = parser.currentTokenLocation().getByteOffset();
                    read.add(new Read(parser.getText(), cap.wasCut(at)));
                } else if (token == JsonToken.FIELD_NAME) {
                    read.add(new Read(parser.currentName(), false));
                }
            }
        }
        return read;
    }

    /** Every string token (names too) as the parser reads it through the cap. */
    private static List<Read> strings(String json) throws IOException {
        JsonValueCap cap = new JsonValueCap(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
        List<Read> read = new ArrayList<>();
        try (JsonParser parser = new ObjectMapper().createParser(cap)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token == JsonToken.VALUE_STRING) {
                    long at = parser.currentTokenLocation().getByteOffset();
                    read.add(new Read(parser.getText(), cap.wasCut(at)));
                } else if (token == JsonToken.FIELD_NAME) {
                    read.add(new Read(parser.currentName(), false));
                }
            }
        }
        return read;
    }
}
