package io.memberpulse.proto.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Jackson's own failures, read as a REST resource reads its body, told in the caller's terms. */
class JsonBodyErrorTest {
    record Campaign(String name, Double costPerTouch, Integer limit, Boolean reached, List<String> variants, Target target) {
    }

    record Target(String storeId, Double minProbability) {
    }

    private final ObjectMapper mapper = new ObjectMapper();

    private JsonBodyError readingCampaign(String json) {
        return JsonBodyError.of(catchThrowableOfType(JsonProcessingException.class,
                () -> mapper.readValue(json, Campaign.class)));
    }

    @Test
    void textThatIsNotJsonIsTheBodysFaultWithWhereItBroke() {
        JsonBodyError error = readingCampaign("{\"name\": \"x\",\n  bad}");
        assertThat(error.field()).isEqualTo("body");
        assertThat(error.reason()).startsWith("malformed JSON at line 2, column 3: Unexpected character ('b'");
        assertThat(error.detail()).isEqualTo("body: " + error.reason());
        // cut off inside a field's array: still the body's fault, not the field's
        assertThat(readingCampaign("{\"variants\": [").field()).isEqualTo("body");
        assertThat(readingCampaign("{\"variants\": [\"a\", bad]}").field()).isEqualTo("body");
    }

    @Test
    void aValueOfTheWrongKindNamesItsFieldAndWhatItMustBe() {
        assertThat(readingCampaign("{\"costPerTouch\": \"x\"}"))
                .isEqualTo(new JsonBodyError("costPerTouch", "must be a number, was \"x\""));
        assertThat(readingCampaign("{\"limit\": \"ten\"}"))
                .isEqualTo(new JsonBodyError("limit", "must be a whole number, was \"ten\""));
        assertThat(readingCampaign("{\"reached\": {}}").reason()).isEqualTo("must be true or false");
        assertThat(readingCampaign("{\"name\": [1]}")).isEqualTo(new JsonBodyError("name", "must be a string"));
        assertThat(readingCampaign("{\"variants\": \"a\"}").field()).isEqualTo("variants");
    }

    @Test
    void aNestedFieldIsNamedByItsPath() {
        assertThat(readingCampaign("{\"variants\": [\"a\", {}]}")).isEqualTo(new JsonBodyError("variants[1]", "must be a string"));
        assertThat(readingCampaign("{\"target\": {\"minProbability\": \"high\"}}"))
                .isEqualTo(new JsonBodyError("target.minProbability", "must be a number, was \"high\""));
        assertThat(readingCampaign("{\"target\": 3}")).isEqualTo(new JsonBodyError("target", "must be an object"));
    }

    @Test
    void aFieldTheBodyDoesNotHaveIsNamedWithTheFieldsItHas() {
        ObjectMapper strict = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        JsonBodyError misspelt = JsonBodyError.of(catchThrowableOfType(JsonProcessingException.class,
                () -> strict.readValue("{\"name\": \"x\", \"targetSegment\": \"churn-edge\"}", Campaign.class)));
        assertThat(misspelt).isEqualTo(new JsonBodyError("targetSegment",
                "is not a known field (known: costPerTouch, limit, name, reached, target, variants)"));
        JsonBodyError nested = JsonBodyError.of(catchThrowableOfType(JsonProcessingException.class,
                () -> strict.readValue("{\"target\": {\"store\": \"s1\"}}", Campaign.class)));
        assertThat(nested.field()).isEqualTo("target.store");
        assertThat(nested.reason()).isEqualTo("is not a known field (known: minProbability, storeId)");
    }

    @Test
    void aNumberBeyondItsTypesRangeNamesItsFieldAndTheRange() {
        assertThat(readingCampaign("{\"limit\": 10000000000}")).isEqualTo(new JsonBodyError("limit",
                "must be a whole number within -2147483648..2147483647"));
        assertThat(readingCampaign("{\"target\": {\"storeId\": \"s1\"}, \"limit\": 99999999999999999999}").field())
                .isEqualTo("limit");
    }
}
