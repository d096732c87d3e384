package io.memberpulse.identity.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Visits that show nothing but a device (anonymous app sessions) and the member whose own device it is. */
class AnonymousDeviceVisitTest {
    static final Instant DAY1 = Instant.parse("2025-03-01T02:00:00Z");
    static final int DAYS = MatchWeights.DEFAULTS.personalDeviceDays();

    final AtomicInteger next = new AtomicInteger();
    final Supplier<String> ids = () -> "m" + next.incrementAndGet();
    IdentityGraph graph;
    int index;

    @BeforeEach
    void newGraph() {
        graph = new IdentityGraph(StitchGuardrails.DEFAULTS, MatchWeights.DEFAULTS);
    }

    static Identifier phone(String value) {
        return new Identifier(IdentifierType.PHONE, value);
    }

    static Identifier device(String value) {
        return new Identifier(IdentifierType.DEVICE_ID, value);
    }

    String visit(int day, Identifier... identifiers) {
        int at = index++;
        EventEvidence event = EventEvidence.of(at, "app:e" + at, List.of(identifiers),
                DAY1.plus(Duration.ofDays(day - 1)).plusSeconds(at), "v-app", null, null, null, null);
        return graph.root(graph.stitch(List.of(event), ids).assignments().get(0).memberId());
    }

    /** The member with this phone, having used the device with it on the given days. */
    String usedOnDays(String number, String deviceId, int days) {
        String member = null;
        for (int day = 1; day <= days; day++) {
            member = visit(day, phone(number), device(deviceId));
        }
        return member;
    }

    @Test
    void anAnonymousVisitOnADeviceOneMemberAloneUsedOnEnoughDaysIsTheirs() {
        String owner = usedOnDays("+8613812345678", "phone-1", DAYS);
        assertThat(visit(DAYS + 1, device("phone-1"))).isEqualTo(graph.root(owner));
    }

    @Test
    void anAnonymousVisitSeenBeforeTheDeviceProvedPersonalJoinsItsOwnerThen() {
        String anonymous = visit(1, device("phone-1"));
        String owner = usedOnDays("+8613812345678", "phone-1", DAYS - 1);
        assertThat(graph.root(anonymous)).isNotEqualTo(graph.root(owner));
        String atLast = visit(DAYS, phone("+8613812345678"), device("phone-1"));
        assertThat(graph.root(anonymous)).isEqualTo(graph.root(atLast));
    }

    @Test
    void anAnonymousVisitOnAFamilyTabletStaysItsOwnMember() {
        String mother = usedOnDays("+8613812345678", "tablet", DAYS);
        String son = visit(DAYS + 1, phone("+8613987654321"), device("tablet"));
        String anonymous = visit(DAYS + 2, device("tablet"));
        assertThat(anonymous).isNotEqualTo(graph.root(mother)).isNotEqualTo(graph.root(son));
        assertThat(graph.root(mother)).isNotEqualTo(graph.root(son));
    }

    @Test
    void aDeviceUsedOnTooFewDaysDecidesNothing() {
        String owner = usedOnDays("+8613812345678", "phone-1", DAYS - 1);
        assertThat(visit(DAYS, device("phone-1"))).isNotEqualTo(graph.root(owner));
    }

    @Test
    void anotherIdentifiedMemberOnSomeonesOwnDeviceIsNeverMergedWithThem() {
        String owner = usedOnDays("+8613812345678", "phone-1", DAYS);
        String guest = visit(DAYS + 1, phone("+8613987654321"), device("phone-1"));
        assertThat(graph.root(guest)).isNotEqualTo(graph.root(owner));
    }

    @Test
    void deterministicStitchingNeverLinksOnADevice() {
        graph = new IdentityGraph(StitchGuardrails.DEFAULTS, MatchWeights.OFF);
        String owner = usedOnDays("+8613812345678", "phone-1", DAYS + 2);
        assertThat(visit(DAYS + 3, device("phone-1"))).isNotEqualTo(graph.root(owner));
    }
}
