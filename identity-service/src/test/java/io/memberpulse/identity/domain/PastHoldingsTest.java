package io.memberpulse.identity.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.identity.domain.IdentityGraph.PastHolding;
import java.time.Instant;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class PastHoldingsTest {
    static final Instant T0 = Instant.parse("2025-03-01T02:00:00Z");
    static final Identifier PHONE = new Identifier(IdentifierType.PHONE, "+8613900000001");
    static final Identifier OTHER_PHONE = new Identifier(IdentifierType.PHONE, "+8613900000002");
    static final UnaryOperator<String> UNMERGED = member -> member;

    @Test
    void aMembersWindowsOfAPhoneWithNobodyElsesBetweenAreOnePeriodSpanningBoth() {
        List<PastHolding> held = PastHoldings.of(List.of(window(PHONE, "a", 5, 6), window(PHONE, "a", 1, 2)), Set.of(),
                phone -> "holder", UNMERGED);

        assertThat(held).containsExactly(window(PHONE, "a", 1, 6));
    }

    @Test
    void aPhoneBackWithItsHolderOfBeforeIsASecondPeriod() {
        List<PastHolding> held = PastHoldings.of(List.of(window(PHONE, "a", 1, 2), window(PHONE, "b", 3, 4),
                window(PHONE, "a", 5, 6)), Set.of(), phone -> "holder", UNMERGED);

        assertThat(held).containsExactly(window(PHONE, "a", 1, 2), window(PHONE, "b", 3, 4), window(PHONE, "a", 5, 6));
    }

    @Test
    void windowsOfTwoPhonesAreJoinedEachOnItsOwnOldestFirst() {
        List<PastHolding> held = PastHoldings.of(List.of(window(OTHER_PHONE, "b", 4, 4), window(PHONE, "a", 3, 3),
                window(OTHER_PHONE, "b", 1, 2), window(PHONE, "a", 5, 5)), Set.of(), phone -> "holder", UNMERGED);

        assertThat(held).containsExactly(window(OTHER_PHONE, "b", 1, 4), window(PHONE, "a", 3, 5));
    }

    @Test
    void aWindowIsReportedUnderItsMembersSurvivor() {
        Map<String, String> mergedInto = Map.of("a", "s", "a2", "s");

        List<PastHolding> held = PastHoldings.of(List.of(window(PHONE, "a", 1, 2), window(PHONE, "a2", 3, 4)), Set.of(),
                phone -> "holder", member -> mergedInto.getOrDefault(member, member));

        assertThat(held).containsExactly(window(PHONE, "s", 1, 4));
    }

    @Test
    void aLateUseOfTheHolderNowIsNoPastHoldingButOneAMoveEndedIs() {
        PastHolding lateUse = window(PHONE, "a", 1, 2);
        PastHolding endedByMove = window(OTHER_PHONE, "b", 3, 4);
        Set<PastHolding> moves = Collections.newSetFromMap(new IdentityHashMap<>());
        moves.add(endedByMove);

        List<PastHolding> held = PastHoldings.of(List.of(lateUse, endedByMove), moves,
                phone -> phone.equals(PHONE) ? "a" : "b", UNMERGED); // the phone that moved came back to b

        assertThat(held).containsExactly(window(OTHER_PHONE, "b", 3, 4));
    }

    @Test
    void aPhoneHeldByNobodyNowKeepsItsWindows() {
        assertThat(PastHoldings.of(List.of(window(PHONE, "a", 1, 2)), Set.of(), phone -> null, UNMERGED))
                .containsExactly(window(PHONE, "a", 1, 2));
        assertThat(PastHoldings.of(List.of(), Set.of(), phone -> null, UNMERGED)).isEmpty();
    }

    private static PastHolding window(Identifier phone, String member, int firstDay, int lastDay) {
        return new PastHolding(phone, member, T0.plusSeconds(86_400L * firstDay), T0.plusSeconds(86_400L * lastDay));
    }
}
