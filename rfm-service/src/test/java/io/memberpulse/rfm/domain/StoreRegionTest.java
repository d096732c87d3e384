package io.memberpulse.rfm.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StoreRegionTest {

    @Test
    void theRegionIsKeptStrippedOfSurroundingBlanks() {
        assertThat(new StoreRegion("s1", "  East China ").region()).isEqualTo("East China");
        assertThat(new StoreRegion("s1", "x".repeat(StoreRegion.MAX_REGION_LENGTH)).region())
                .hasSize(StoreRegion.MAX_REGION_LENGTH);
    }

    @Test
    void aMissingBlankLongOrReservedRegionIsRefusedNamingTheField() {
        assertRefused(null, "is required");
        assertRefused("", "must not be blank");
        assertRefused(" \t ", "must not be blank");
        assertRefused("x".repeat(StoreRegion.MAX_REGION_LENGTH + 1), "is 101 characters long, at most 100 are accepted");
        assertRefused("North\u0000", "must not contain control characters");
        assertRefused("Unassigned", "\"unassigned\" is where stores without a region are counted; name the store's region");
    }

    @Test
    void aStoreIdIsRequired() {
        assertThatThrownBy(() -> new StoreRegion(" ", "North")).isInstanceOfSatisfying(InvalidParameterException.class,
                e -> assertThat(e.field()).isEqualTo("storeId"));
    }

    static void assertRefused(String region, String reason) {
        assertThatThrownBy(() -> new StoreRegion("s1", region)).isInstanceOfSatisfying(InvalidParameterException.class,
                e -> {
                    assertThat(e.field()).isEqualTo("region");
                    assertThat(e.getMessage()).isEqualTo(reason);
                });
    }
}
