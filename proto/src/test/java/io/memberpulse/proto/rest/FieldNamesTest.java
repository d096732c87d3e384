package io.memberpulse.proto.rest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FieldNamesTest {
    @Test
    void wireNamesBecomeTheLowerCamelCaseOfRestBodiesPathsIncluded() {
        assertThat(FieldNames.asJson("follow_up_date")).isEqualTo("followUpDate");
        assertThat(FieldNames.asJson("target_min_probability")).isEqualTo("targetMinProbability");
        assertThat(FieldNames.asJson("parts[0].event_keys[1]")).isEqualTo("parts[0].eventKeys[1]");
        assertThat(FieldNames.asJson("limit")).isEqualTo("limit");
        assertThat(FieldNames.asJson("asOf")).isEqualTo("asOf"); // already as REST spells it
        assertThat(FieldNames.asJson("netValuePerWonBack")).isEqualTo("netValuePerWonBack");
    }
}
