package io.memberpulse.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.identity.domain.IdentityHealth;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Store ids are whatever channels send: per-store gauges stop at a bound, keeping the largest stores. */
class StoreGaugesTest {
    private static IdentityHealth store(String id, long members) {
        return new IdentityHealth(id, members, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void beyondTheBoundOnlyTheStoresWithTheMostMembersAreGauged() {
        List<IdentityHealth> all = List.of(store("a", 5), store("b", 50), store("c", 7), store("d", 50), store("e", 1));
        assertThat(IdentityHealthService.gaugedStores(all, 3)).extracting(IdentityHealth::storeId)
                .containsExactly("b", "d", "c");
        assertThat(IdentityHealthService.gaugedStores(all, 5)).isEqualTo(all);
        assertThat(IdentityHealthService.gaugedStores(all, 0)).isEmpty();
    }
}
