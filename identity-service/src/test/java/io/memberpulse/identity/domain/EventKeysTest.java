package io.memberpulse.identity.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EventKeysTest {

    @Test
    void eventKeyIsSourceColonEventIdAsDuplicateOfStoresIt() {
        assertThat(EventKeys.event("pos", "E1")).isEqualTo("pos:E1");
    }

    @Test
    void orderKeyIsSourceColonOrderId() {
        assertThat(EventKeys.order("miniapp", "O-7")).isEqualTo("miniapp:O-7");
    }

    @Test
    void sourceComesBackFromAnEventOrOrderKey() {
        assertThat(EventKeys.source(EventKeys.event("pos", "E1"))).isEqualTo("pos");
        assertThat(EventKeys.source(EventKeys.order("ecommerce", "O1"))).isEqualTo("ecommerce");
    }

    @Test
    void anIdHoldingColonsKeepsTheSourceBeforeTheFirstOne() {
        String key = EventKeys.order("pos", "2024:S001:42");

        assertThat(key).isEqualTo("pos:2024:S001:42");
        assertThat(EventKeys.source(key)).isEqualTo("pos");
        assertThat(EventKeys.order(EventKeys.source(EventKeys.event("pos", "E:9")), "A:1")).isEqualTo("pos:A:1");
    }

    @Test
    void aKeyWithoutColonIsRefusedNamingIt() {
        assertThatThrownBy(() -> EventKeys.source("posE1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("posE1").hasMessageContaining("no ':'");
    }
}
