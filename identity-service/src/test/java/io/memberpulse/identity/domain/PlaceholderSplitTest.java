package io.memberpulse.identity.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlaceholderSplitTest {
    static final Identifier WALK_IN = new Identifier(IdentifierType.PHONE, "+8613912340000");
    static final Identifier OWN_PHONE = new Identifier(IdentifierType.PHONE, "+8613812345678");
    static final Identifier CARD_A = new Identifier(IdentifierType.MEMBER_NO, "A-1");
    static final Identifier CARD_B = new Identifier(IdentifierType.MEMBER_NO, "B-1");
    static final Identifier OPENID_B = new Identifier(IdentifierType.OPENID, "O-B");
    static final Identifier KIOSK = new Identifier(IdentifierType.DEVICE_ID, "kiosk-s001");
    static final Set<Identifier> QUARANTINED = Set.of(WALK_IN);

    static PlaceholderSplit.MemberEvent event(String key, Identifier... identifiers) {
        return new PlaceholderSplit.MemberEvent(key, List.of(identifiers), null, null);
    }

    @Test
    void guestsGluedByAWalkInPhoneComeApart() {
        List<PlaceholderSplit.MemberEvent> member = List.of(
                event("pos:1", WALK_IN, CARD_A),
                event("pos:2", WALK_IN, CARD_B),
                event("pos:3", WALK_IN), // a guest showing nothing else
                event("miniapp:4", CARD_A),
                event("pos:5", WALK_IN, KIOSK)); // a shared device holds nobody together

        List<List<String>> leaving = PlaceholderSplit.parts(member, QUARANTINED::contains);

        // guest A (two events) stays; B, the bare guest and the kiosk guest leave, each alone
        assertThat(leaving).containsExactly(List.of("pos:2"), List.of("pos:3"), List.of("pos:5"));
    }

    @Test
    void aMemberWhoseOwnIdentifiersLinkItsEventsStaysWhole() {
        List<PlaceholderSplit.MemberEvent> member = List.of(
                event("pos:1", WALK_IN, CARD_A),
                event("pos:2", OWN_PHONE, CARD_A),
                event("miniapp:3", OWN_PHONE));

        assertThat(PlaceholderSplit.parts(member, QUARANTINED::contains)).isEmpty();
        assertThat(PlaceholderSplit.parts(member, i -> false)).isEmpty();
    }

    @Test
    void ordersOtherIdentifiersAndSameOrderReportsHoldEventsTogether() {
        List<PlaceholderSplit.MemberEvent> member = List.of(
                event("pos:1", WALK_IN, CARD_A),
                new PlaceholderSplit.MemberEvent("pos:2", List.of(WALK_IN), "pos:T9", null),
                new PlaceholderSplit.MemberEvent("pos:3", List.of(WALK_IN, CARD_B), "pos:T9", null), // one order
                event("miniapp:4", CARD_B, OPENID_B),
                event("miniapp:5", OPENID_B), // B through another id
                new PlaceholderSplit.MemberEvent("delivery:6", List.of(), "delivery:D1", null),
                // the till's copy of that delivery order under the walk-in phone: same order line
                new PlaceholderSplit.MemberEvent("pos:7", List.of(WALK_IN), "pos:T10", "delivery:6"),
                // joined by a score (no strong identifier, no order of its own): stays with the member
                event("delivery:8"));

        List<List<String>> leaving = PlaceholderSplit.parts(member, QUARANTINED::contains);

        // B's part (4 events) is the largest showing the walk-in phone: it stays; A and the delivery order leave
        assertThat(leaving).containsExactly(List.of("pos:1"), List.of("delivery:6", "pos:7"));
    }
}
