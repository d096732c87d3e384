package io.memberpulse.identity.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StoreCitiesTest {
    @Test
    void aStoreIsPlacedInTheCityNearlyAllItsReportsName() {
        StoreCities cities = new StoreCities(5, 0.8);
        for (int i = 0; i < 4; i++) {
            cities.observe("s048", "深圳");
        }
        assertThat(cities.cityOf("s048")).as("too few reports").isNull();
        cities.observe("s048", "深圳");
        assertThat(cities.cityOf("s048")).isEqualTo("深圳");
        cities.observe("s048", "广州"); // a traveller's delivery: one in six
        assertThat(cities.cityOf("s048")).isEqualTo("深圳");
    }

    @Test
    void anOnlineStoreDeliveringEverywhereHasNoCity() {
        StoreCities cities = new StoreCities(5, 0.8);
        String[] seen = {"北京", "上海", "深圳", "北京", "成都", "杭州", "北京"};
        for (String city : seen) {
            cities.observe("v-jd", city);
        }
        assertThat(cities.cityOf("v-jd")).isNull();
        assertThat(cities.cityOf("never-seen")).isNull();
        assertThat(cities.cityOf(null)).isNull();
    }

    @Test
    void aShareOfHalfOrLessWouldPlaceAStoreInTwoCities() {
        assertThatThrownBy(() -> new StoreCities(5, 0.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StoreCities(0, 0.8)).isInstanceOf(IllegalArgumentException.class);
    }
}
