package io.memberpulse.identity.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class PersonalDevicesTest {
    static final Instant DAY1 = Instant.parse("2025-03-01T02:00:00Z");
    final PersonalDevices devices = new PersonalDevices(3);

    static Instant day(int n) {
        return DAY1.plus(Duration.ofDays(n - 1));
    }

    @Test
    void aDeviceOneMemberAloneUsedOnEnoughDaysIsTheirs() {
        devices.identifiedUse("d1", "a", day(1));
        devices.identifiedUse("d1", "a", day(1).plusSeconds(3_600)); // the same day again
        devices.identifiedUse("d1", "a", day(2));
        assertThat(devices.owner("d1", UnaryOperator.identity())).isNull();
        devices.identifiedUse("d1", "a", day(5));
        assertThat(devices.owner("d1", UnaryOperator.identity())).isEqualTo("a");
    }

    @Test
    void aDeviceTwoMembersUsedIsNobodysOwnUnlessTheyProveOnePerson() {
        devices.identifiedUse("tablet", "mother", day(1));
        devices.identifiedUse("tablet", "mother", day(2));
        devices.identifiedUse("tablet", "mother", day(3));
        devices.identifiedUse("tablet", "son", day(4));
        assertThat(devices.owner("tablet", UnaryOperator.identity())).isNull();
        // later found to be one person (merged): one user after all
        Map<String, String> merged = Map.of("son", "mother");
        assertThat(devices.owner("tablet", m -> merged.getOrDefault(m, m))).isEqualTo("mother");
    }

    @Test
    void aKioskUsedByManyStaysSharedForGood() {
        for (int i = 0; i < 6; i++) {
            devices.identifiedUse("kiosk", "m" + i, day(1 + i));
        }
        devices.waitFor("kiosk", "anonymous");
        assertThat(devices.owner("kiosk", m -> "one")).isNull(); // even if all turned out one member
        assertThat(devices.takeWaiting("kiosk", UnaryOperator.identity())).isEmpty();
    }

    @Test
    void anonymousMembersWaitUntilTheDeviceIsSomeonesOwnAndAreHandedOverOnce() {
        devices.waitFor("d1", "anonymous");
        devices.identifiedUse("d1", "a", day(1));
        devices.identifiedUse("d1", "a", day(2));
        assertThat(devices.takeWaiting("d1", UnaryOperator.identity())).isEmpty();
        devices.identifiedUse("d1", "a", day(3));
        assertThat(devices.takeWaiting("d1", UnaryOperator.identity())).containsExactly("anonymous");
        assertThat(devices.takeWaiting("d1", UnaryOperator.identity())).isEmpty();
    }

    @Test
    void zeroDaysTurnsItOffAndNegativeIsRefused() {
        PersonalDevices off = new PersonalDevices(0);
        off.identifiedUse("d1", "a", day(1));
        off.waitFor("d1", "anonymous");
        assertThat(off.owner("d1", UnaryOperator.identity())).isNull();
        assertThat(off.takeWaiting("d1", UnaryOperator.identity())).isEmpty();
        assertThatThrownBy(() -> new PersonalDevices(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("minDays");
    }
}
