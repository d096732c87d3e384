package io.memberpulse.identity.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IdentityGraphTest {
    static final Instant T0 = Instant.parse("2025-03-01T02:00:00Z");

    final AtomicInteger next = new AtomicInteger();
    final Supplier<String> ids = () -> "m" + next.incrementAndGet();
    IdentityGraph graph;
    int index;

    @BeforeEach
    void newGraph() {
        graph = new IdentityGraph(StitchGuardrails.DEFAULTS, MatchWeights.DEFAULTS);
        // other members, so that term frequencies are those of a real population
        for (int i = 0; i < 200; i++) {
            link(event("s" + (i % 40), null, null, null, id(IdentifierType.PHONE, String.format("+86139%08d", i * 7919))));
        }
    }

    static Identifier id(IdentifierType type, String value) {
        return new Identifier(type, value);
    }

    EventEvidence event(String store, String name, String address, String sameOrderAs, Identifier... identifiers) {
        int at = index++;
        return EventEvidence.of(at, "pos:e" + at, List.of(identifiers), T0.plusSeconds(60L * at), store, name, address,
                null, sameOrderAs);
    }

    IdentityGraph.BatchOutcome link(EventEvidence event) {
        return graph.stitch(List.of(event), ids);
    }

    String memberOf(IdentityGraph.BatchOutcome outcome) {
        return graph.root(outcome.assignments().get(0).memberId());
    }

    @Test
    void aMaskedDeliveryPhoneAtTheSameStoreJoinsTheTillMemberWithItsReasons() {
        String till = memberOf(link(event("s900", null, null, null, id(IdentifierType.PHONE, "+8613812345678"))));
        var delivery = link(event("s900", "李先生", "梧桐苑25栋1105", null,
                id(IdentifierType.MASKED_PHONE, "138****5678"), id(IdentifierType.PLATFORM_UID, "mt-1")));
        assertThat(memberOf(delivery)).isEqualTo(till);
        assertThat(delivery.merges()).singleElement().satisfies(merge -> {
            assertThat(merge.rule()).isEqualTo(MergeRecord.PROBABILISTIC);
            assertThat(merge.score()).isGreaterThanOrEqualTo(MatchWeights.DEFAULTS.linkThreshold());
            assertThat(merge.reasons()).anyMatch(r -> r.startsWith("masked_phone agree"));
            assertThat(merge.survivingMemberId()).isEqualTo(till);
        });
        // the platform uid now belongs to the till member: its next order needs no score
        assertThat(memberOf(link(event("s901", null, null, null, id(IdentifierType.PLATFORM_UID, "mt-1"))))).isEqualTo(till);
    }

    @Test
    void householdMembersSharingAddressAndSurnameButNotPhonesStayTwo() {
        String father = memberOf(link(event("s900", "张先生", "翠湖苑11栋104", null,
                id(IdentifierType.MASKED_PHONE, "139****0001"), id(IdentifierType.PLATFORM_UID, "mt-f"))));
        String daughter = memberOf(link(event("s900", "张女士", "长江路968号翠湖苑11号楼104室", null,
                id(IdentifierType.MASKED_PHONE, "186****0002"), id(IdentifierType.PLATFORM_UID, "mt-d"))));
        assertThat(daughter).isNotEqualTo(father);
    }

    @Test
    void anOrderWithoutAPhoneIsComparedByTheMemberItsPlatformIdBelongsTo() {
        // father and son: one flat, one surname, one store, each his own phone and delivery account
        String father = memberOf(link(event("s900", "唐先生", "锦绣家园18栋3006", null,
                id(IdentifierType.MASKED_PHONE, "178****3225"), id(IdentifierType.PLATFORM_UID, "mt-f"))));
        String son = memberOf(link(event("s900", null, null, null, id(IdentifierType.PHONE, "+8617852798078"),
                id(IdentifierType.MEMBER_NO, "C-son"))));
        link(event("s900", null, null, null, id(IdentifierType.MEMBER_NO, "C-son"),
                id(IdentifierType.PLATFORM_UID, "mt-s")));
        // the son's account orders without a phone: his member's phone disagrees with the father's
        var order = link(event("s900", "唐先生", "锦绣家园18-3-3006", null, id(IdentifierType.PLATFORM_UID, "mt-s")));
        assertThat(memberOf(order)).isEqualTo(graph.root(son)).isNotEqualTo(graph.root(father));
        assertThat(order.merges()).isEmpty();
        // a phone-less order of an account whose member shows the father's masked phone joins him
        link(event("s901", null, null, null, id(IdentifierType.MASKED_PHONE, "178****3225"),
                id(IdentifierType.PLATFORM_UID, "ele-f")));
        var fathers = link(event("s900", "唐先生", "锦绣家园18栋3006", null, id(IdentifierType.PLATFORM_UID, "ele-f")));
        assertThat(memberOf(fathers)).isEqualTo(graph.root(father));
    }

    @Test
    void anOnlineOrderIsComparedByCityWithTheStoresAMemberUses() {
        // threshold between "masked phone alone" and "masked phone + same city" in a population of ~200
        MatchWeights weights = new MatchWeights(0.9, -14.0, 10.0, 0.95, -6.0, 4.0, 5.0, 2.0, -2.0, 0.9, 3.0, -6.0,
                3.0, 8.0, 9.0, 3);
        graph = new IdentityGraph(StitchGuardrails.DEFAULTS, weights);
        for (int i = 0; i < 200; i++) {
            link(event("s" + (i % 40), null, null, null, id(IdentifierType.PHONE, String.format("+86139%08d", i * 7919))));
        }
        // delivery rows place s500 in Shenzhen and s600 in Chengdu
        for (int i = 0; i < 5; i++) {
            link(cityEvent("s500", "深圳", id(IdentifierType.PLATFORM_UID, "mt-sz" + i)));
            link(cityEvent("s600", "成都", id(IdentifierType.PLATFORM_UID, "mt-cd" + i)));
        }
        String shenzhen = memberOf(link(event("s500", null, null, null, id(IdentifierType.PHONE, "+8613112627295"))));
        String chengdu = memberOf(link(event("s600", null, null, null, id(IdentifierType.PHONE, "+8615089302180"))));
        var there = link(cityEvent("v-jd", "深圳", id(IdentifierType.MASKED_PHONE, "131****7295"),
                id(IdentifierType.PLATFORM_UID, "jd-1")));
        assertThat(memberOf(there)).isEqualTo(graph.root(shenzhen));
        assertThat(there.merges()).singleElement()
                .satisfies(merge -> assertThat(merge.reasons()).anyMatch(r -> r.startsWith("city agree")));
        // the same masked phone delivered in another city than the member's store is someone else
        var elsewhere = link(cityEvent("v-jd", "上海", id(IdentifierType.MASKED_PHONE, "150****2180"),
                id(IdentifierType.PLATFORM_UID, "jd-2")));
        assertThat(memberOf(elsewhere)).isNotEqualTo(graph.root(chengdu));
        // and with no city known the masked phone alone stays below the threshold
        var unknown = link(event("v-jd", null, null, null, id(IdentifierType.MASKED_PHONE, "150****2180"),
                id(IdentifierType.PLATFORM_UID, "jd-3")));
        assertThat(memberOf(unknown)).isNotEqualTo(graph.root(chengdu));
    }

    EventEvidence cityEvent(String store, String city, Identifier... identifiers) {
        int at = index++;
        return EventEvidence.of(at, "delivery:e" + at, List.of(identifiers), T0.plusSeconds(60L * at), store, null,
                null, city, null);
    }

    @Test
    void aTillTypoOneDigitAwayAtTheSameStoreIsTheSamePersonButNotAcrossTown() {
        String member = memberOf(link(event("s900", null, null, null, id(IdentifierType.PHONE, "+8613812345678"))));
        assertThat(memberOf(link(event("s900", null, null, null, id(IdentifierType.PHONE, "+8613812345679")))))
                .isEqualTo(member);
        assertThat(memberOf(link(event("s777", null, null, null, id(IdentifierType.PHONE, "+8613812345670")))))
                .isNotEqualTo(member);
    }

    @Test
    void aSharedDeviceAloneNeverMerges() {
        Identifier tablet = id(IdentifierType.DEVICE_ID, "family-tablet");
        String mother = memberOf(link(event("s900", null, null, null, tablet, id(IdentifierType.PHONE, "+8613700000001"))));
        String son = memberOf(link(event("s900", null, null, null, tablet, id(IdentifierType.PHONE, "+8615900000002"))));
        assertThat(son).isNotEqualTo(mother);
    }

    @Test
    void theTillCopyOfADeliveryOrderUnderAPlaceholderPhoneJoinsTheDeliveryMember() {
        var delivery = event("s900", null, null, null, id(IdentifierType.PLATFORM_UID, "mt-7"));
        String member = memberOf(link(delivery));
        var till = event("s900", null, null, delivery.eventKey(), id(IdentifierType.PHONE, "13800000000"));
        // the delivery order was stored by an earlier import: the import passes its member along
        assertThat(memberOf(graph.stitch(List.of(till), ids, java.util.Map.of(delivery.eventKey(), member))))
                .isEqualTo(member);
        // without the order link the placeholder leaves it alone
        assertThat(memberOf(link(event("s900", null, null, null, id(IdentifierType.PHONE, "13800000000")))))
                .isNotEqualTo(member);
    }

    @Test
    void theTillCopyImportedBeforeTheDeliveryOrderItRangUpEndsWithTheDeliveryMember() {
        var till = event("s900", null, null, null, id(IdentifierType.PHONE, "13800000000"));
        String anonymous = memberOf(link(till));
        var delivery = event("s900", null, null, till.eventKey(), id(IdentifierType.PLATFORM_UID, "mt-8"));
        // the till's copy was stored by an earlier import: the import passes its member along
        var outcome = graph.stitch(List.of(delivery), ids, java.util.Map.of(till.eventKey(), anonymous));
        // one member, as when the delivery order comes first and the copy joins it
        assertThat(graph.root(anonymous)).isEqualTo(memberOf(outcome));
        assertThat(outcome.merges()).singleElement().satisfies(merge -> {
            assertThat(merge.rule()).isEqualTo(MergeRecord.SAME_ORDER);
            assertThat(merge.eventKey()).isEqualTo(delivery.eventKey());
            assertThat(List.of(merge.survivingMemberId(), merge.absorbedMemberId())).contains(anonymous);
        });
        assertThat(graph.ownerOf(id(IdentifierType.PLATFORM_UID, "mt-8"))).contains(graph.root(anonymous));
    }

    @Test
    void aPlaceholderPhoneNeverGluesTwoRealMembersWhateverCameFirst() {
        Identifier placeholder = id(IdentifierType.PHONE, "13800000000");
        var till1 = event("s900", null, null, null, placeholder);
        var till2 = event("s900", null, null, null, placeholder);
        String copy1 = memberOf(link(till1));
        String copy2 = memberOf(link(till2));
        assertThat(copy2).isNotEqualTo(copy1);
        var delivery1 = event("s900", null, null, till1.eventKey(), id(IdentifierType.PLATFORM_UID, "mt-21"));
        var delivery2 = event("s900", null, null, till2.eventKey(), id(IdentifierType.PLATFORM_UID, "mt-22"));
        String buyer1 = memberOf(graph.stitch(List.of(delivery1), ids, java.util.Map.of(till1.eventKey(), copy1)));
        String buyer2 = memberOf(graph.stitch(List.of(delivery2), ids, java.util.Map.of(till2.eventKey(), copy2)));
        assertThat(graph.root(buyer1)).isNotEqualTo(graph.root(buyer2));
        // a till copy rung up under a real card is somebody's own purchase record: it is not taken over
        var carded = event("s900", null, null, null, placeholder, id(IdentifierType.MEMBER_NO, "C-77"));
        String cardholder = memberOf(link(carded));
        var delivery3 = event("s900", null, null, carded.eventKey(), id(IdentifierType.PLATFORM_UID, "mt-23"));
        var outcome = graph.stitch(List.of(delivery3), ids, java.util.Map.of(carded.eventKey(), cardholder));
        assertThat(outcome.merges()).isEmpty();
        assertThat(graph.root(memberOf(outcome))).isNotEqualTo(graph.root(cardholder));
    }

    @Test
    void twoStoredReportsPairedOnlyLaterJoinWhenOneMemberIsAnonymousAndStayApartWhenBothAreSomebody() {
        var delivery = event("s900", null, null, null, id(IdentifierType.PLATFORM_UID, "mt-31"));
        String buyer = memberOf(link(delivery));
        var till = event("s900", null, null, null, id(IdentifierType.PHONE, "13800000000"));
        String copy = memberOf(link(till));
        assertThat(copy).isNotEqualTo(buyer);

        var outcome = graph.stitch(List.of(), ids, java.util.Map.of(), List.of(
                new IdentityGraph.RepeatedReport(till.eventKey(), copy, delivery.eventKey(), buyer, till.occurredAt())));
        assertThat(graph.root(copy)).isEqualTo(graph.root(buyer));
        assertThat(outcome.merges()).singleElement().satisfies(merge -> {
            assertThat(merge.rule()).isEqualTo(MergeRecord.SAME_ORDER);
            assertThat(merge.eventKey()).isEqualTo(till.eventKey());
            assertThat(merge.identifiers()).containsExactly("event:" + delivery.eventKey());
        });

        // a till copy rung up under a real card is somebody's own purchase record: a late pairing does not take it
        var carded = event("s900", null, null, null, id(IdentifierType.MEMBER_NO, "C-78"));
        String cardholder = memberOf(link(carded));
        var paired = graph.stitch(List.of(), ids, java.util.Map.of(), List.of(
                new IdentityGraph.RepeatedReport(carded.eventKey(), cardholder, delivery.eventKey(), buyer,
                        carded.occurredAt())));
        assertThat(paired.merges()).isEmpty();
        assertThat(graph.root(cardholder)).isNotEqualTo(graph.root(buyer));
    }

    @Test
    void membersASplitSeparatedAreNeverMergedAgain() {
        Identifier card = id(IdentifierType.MEMBER_NO, "C-1");
        Identifier openid = id(IdentifierType.OPENID, "O-1");
        String a = memberOf(link(event("s900", null, null, null, card)));
        String b = memberOf(link(event("s900", null, null, null, openid)));
        graph.forbidMerge(a, b);
        var bridging = link(event("s900", null, null, null, card, openid));
        assertThat(bridging.merges()).isEmpty();
        assertThat(graph.root(a)).isNotEqualTo(graph.root(b));
        assertThat(graph.canMerge(a, b)).isFalse();
    }

    @Test
    void mergesAreTransitiveAndEveryAbsorbedMemberPointsAtTheSurvivor() {
        List<String> members = new ArrayList<>();
        members.add(memberOf(link(event("s900", null, null, null, id(IdentifierType.MEMBER_NO, "X-1")))));
        members.add(memberOf(link(event("s900", null, null, null, id(IdentifierType.OPENID, "X-2")))));
        members.add(memberOf(link(event("s900", null, null, null, id(IdentifierType.EMAIL, "x@example.com")))));
        link(event("s900", null, null, null, id(IdentifierType.MEMBER_NO, "X-1"), id(IdentifierType.OPENID, "X-2")));
        var last = link(event("s900", null, null, null, id(IdentifierType.OPENID, "X-2"),
                id(IdentifierType.EMAIL, "x@example.com")));
        String survivor = memberOf(last);
        assertThat(members).allSatisfy(m -> assertThat(graph.root(m)).isEqualTo(survivor));
    }
}
