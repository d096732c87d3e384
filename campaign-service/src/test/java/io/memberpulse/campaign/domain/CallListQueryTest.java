package io.memberpulse.campaign.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memberpulse.proto.checks.InvalidFieldException;
import org.junit.jupiter.api.Test;

class CallListQueryTest {

    @Test
    void zeroMeansTheDailyCapacity() {
        assertThat(new CallListQuery("s", 0).limitOr(20, 0)).isEqualTo(20);
        assertThat(new CallListQuery("s", 5).limitOr(20, 0)).isEqualTo(5);
        assertThat(new CallListQuery("s", 50).limitOr(20, 0)).isEqualTo(50);
    }

    /** The calls the store made today count against its daily capacity; a limit asked for is the caller's. */
    @Test
    void zeroMeansWhatIsLeftOfTheDailyCapacityAfterTodaysCalls() {
        assertThat(new CallListQuery("s", 0).limitOr(20, 12)).isEqualTo(8);
        assertThat(new CallListQuery("s", 0).limitOr(20, 20)).isZero();
        assertThat(new CallListQuery("s", 0).limitOr(20, 25)).isZero();
        assertThat(new CallListQuery("s", 5).limitOr(20, 18)).isEqualTo(5);
    }

    @Test
    void aBlankStoreOrNegativeLimitIsRefusedNamingTheField() {
        assertThatThrownBy(() -> new CallListQuery(" ", 0))
                .isInstanceOfSatisfying(InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("store_id"))
                .hasMessage("is required");
        assertThatThrownBy(() -> new CallListQuery(null, 0)).isInstanceOf(InvalidFieldException.class);
        assertThatThrownBy(() -> new CallListQuery("s\u0000", 0)).isInstanceOf(InvalidFieldException.class);
        assertThatThrownBy(() -> new CallListQuery("s", -1))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.field()).isEqualTo("limit"));
    }

    @Test
    void aLimitAboveTheMostACallListHoldsIsRefused() {
        assertThat(new CallListQuery("s", 200).checkAtMost(200).limit()).isEqualTo(200);
        assertThatThrownBy(() -> new CallListQuery("s", 201).checkAtMost(200))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.field()).isEqualTo("limit"));
    }
}
