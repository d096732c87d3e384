package io.memberpulse.identity.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class StitchGuardrailsTest {
    static final Instant JAN = Instant.parse("2025-01-10T10:00:00Z");
    static final StitchGuardrails GUARDRAILS = new StitchGuardrails(Set.of("13800000000"), 3, 4,
            StitchGuardrails.limits(2, 1, 2, 2, 2, 2), Duration.ofDays(90));

    final AtomicInteger next = new AtomicInteger();
    final Supplier<String> ids = () -> "new-" + next.incrementAndGet();

    static Identifier phone(String value) {
        return new Identifier(IdentifierType.PHONE, value);
    }

    static Identifier memberNo(String value) {
        return new Identifier(IdentifierType.MEMBER_NO, value);
    }

    static BatchStitcher.EventIdentifiers at(int index, Instant when, String store, Identifier... identifiers) {
        return new BatchStitcher.EventIdentifiers(index, List.of(identifiers), when, store);
    }

    static List<String> members(BatchStitcher.Result result) {
        return result.assignments().stream().map(BatchStitcher.Assignment::memberId).toList();
    }

    @Test
    void aBlockedPlaceholderNeverLinksAndIsQuarantined() {
        Identifier placeholder = phone("13800000000");
        var result = BatchStitcher.stitch(List.of(at(0, JAN, "s1", placeholder, memberNo("A")),
                at(1, JAN, "s1", placeholder, memberNo("B")), at(2, JAN, "s1", placeholder)), Map.of(), ids, GUARDRAILS);
        assertThat(members(result)).doesNotHaveDuplicates();
        assertThat(result.quarantined()).containsExactly(placeholder);
        assertThat(result.newLinks()).doesNotContainKey(placeholder);
    }

    @Test
    void aBlockedValueMatchesWhateverItsNotation() {
        assertThat(GUARDRAILS.isBlocked("+86 138-0000-0000")).isTrue();
        assertThat(GUARDRAILS.isBlocked("+8613800000000")).isTrue();
        assertThat(GUARDRAILS.isBlocked("+8613800138000")).isFalse();
    }

    @Test
    void aValueSeenAtTooManyStoresIsAPlaceholder() {
        Identifier walkIn = phone("+8613912345678");
        List<BatchStitcher.EventIdentifiers> events = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            events.add(at(i, JAN.plusSeconds(i), "s" + i, walkIn));
        }
        var result = BatchStitcher.stitch(events, Map.of(), ids, GUARDRAILS);
        assertThat(result.quarantined()).containsExactly(walkIn);
        assertThat(members(result)).doesNotHaveDuplicates();
    }

    @Test
    void aValueSeenWithTooManyOtherIdentitiesIsAPlaceholder() {
        Identifier shared = phone("+8613912345678");
        List<BatchStitcher.EventIdentifiers> events = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            events.add(at(i, JAN.plusSeconds(i), "s1", shared, memberNo("M" + i)));
        }
        var result = BatchStitcher.stitch(events, Map.of(), ids, GUARDRAILS);
        assertThat(result.quarantined()).containsExactly(shared);
        assertThat(members(result)).doesNotHaveDuplicates();
    }

    /** One guest per batch, as the live path brings them (one request, one Kafka poll): the count still adds up. */
    @Test
    void aValueSeenWithTooManyOtherIdentitiesOneBatchAtATimeIsAPlaceholderToo() {
        Identifier shared = phone("+8613912345678");
        IdentityGraph graph = new IdentityGraph(GUARDRAILS, MatchWeights.OFF);
        List<IdentityGraph.BatchOutcome> outcomes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            outcomes.add(graph.stitch(List.of(guest(shared, i)), ids));
        }
        for (int i = 0; i < 4; i++) {
            assertThat(outcomes.get(i).quarantined()).isEmpty();
        }
        assertThat(outcomes.get(4).quarantined()).containsExactly(shared);
        assertThat(graph.isQuarantined(shared)).isTrue();
        // from then on it glues nobody: the fifth guest and the next are members of their own
        String first = outcomes.get(0).assignments().get(0).memberId();
        String fifth = outcomes.get(4).assignments().get(0).memberId();
        String sixth = graph.stitch(List.of(guest(shared, 5)), ids).assignments().get(0).memberId();
        assertThat(List.of(first, fifth, sixth)).doesNotHaveDuplicates();
    }

    /** The graph rebuilt from the database (a restart, a split) counts what the stored events showed. */
    @Test
    void aGraphRebuiltFromTheStoredEventsKeepsCountingOtherIdentities() {
        Identifier shared = phone("+8613912345678");
        IdentityGraph before = new IdentityGraph(GUARDRAILS, MatchWeights.OFF);
        IdentityGraph rebuilt = new IdentityGraph(GUARDRAILS, MatchWeights.OFF);
        for (int i = 0; i < 4; i++) {
            EventEvidence event = guest(shared, i);
            var outcome = before.stitch(List.of(event), ids);
            String member = outcome.assignments().get(0).memberId();
            outcome.newLinks().forEach((identifier, holder) -> rebuilt.restoreLink(identifier, holder, event.occurredAt()));
            rebuilt.restoreEvent(member, event);
        }
        var fifth = rebuilt.stitch(List.of(guest(shared, 4)), ids);
        assertThat(fifth.quarantined()).containsExactly(shared);
        assertThat(fifth.assignments().get(0).memberId()).isNotEqualTo(rebuilt.ownerOf(memberNo("M0")).orElseThrow());
    }

    /** Guest i: the shared phone with a member number of their own, an hour after the guest before. */
    static EventEvidence guest(Identifier shared, int i) {
        return new EventEvidence(0, List.of(shared, memberNo("M" + i)), JAN.plus(Duration.ofHours(i)), "s1");
    }

    @Test
    void aMemberHoldsNoMoreValuesOfATypeThanAllowed() {
        Identifier mobile = phone("+8613912345678");
        var result = BatchStitcher.stitch(List.of(at(0, JAN, "s1", mobile, memberNo("A")),
                at(1, JAN.plusSeconds(60), "s1", mobile, memberNo("B")),
                at(2, JAN.plusSeconds(120), "s1", mobile, memberNo("C"))), Map.of(), ids, GUARDRAILS);
        assertThat(members(result)).containsOnly("new-1");
        assertThat(result.newLinks()).containsKeys(memberNo("A"), memberNo("B")).doesNotContainKey(memberNo("C"));
        assertThat(result.conflicts()).isEqualTo(1);
    }

    @Test
    void aLostCardLinksThroughARecentlyUsedPhone() {
        Identifier mobile = phone("+8613912345678");
        var result = BatchStitcher.stitch(List.of(at(0, JAN, "s1", mobile, memberNo("A")),
                at(1, JAN.plus(Duration.ofDays(30)), "s1", mobile, memberNo("B"))), Map.of(), ids, GUARDRAILS);
        assertThat(members(result)).containsOnly("new-1");
        assertThat(result.newLinks()).containsEntry(memberNo("B"), "new-1");
    }

    @Test
    void aPhoneReissuedMonthsLaterWithAnotherPersonsIdsMovesAndMergesNobody() {
        Identifier mobile = phone("+8613912345678");
        var result = BatchStitcher.stitch(List.of(at(0, JAN, "s1", mobile, memberNo("A")),
                at(1, JAN.plus(Duration.ofDays(200)), "s2", mobile, memberNo("B")),
                at(2, JAN.plus(Duration.ofDays(201)), "s2", mobile)), Map.of(), ids, GUARDRAILS);
        assertThat(members(result)).containsExactly("new-1", "new-2", "new-2");
        assertThat(result.newLinks()).containsEntry(mobile, "new-2").containsEntry(memberNo("A"), "new-1");
    }

    @Test
    void aPhoneBackAfterMonthsWithACardItsHolderNeverShowedIsNoReissueButTheCardOfTheHolder() {
        Identifier mobile = phone("+8613912345678");
        // the holder gave only the phone; the card was rung up alone at the till meanwhile
        var result = BatchStitcher.stitch(List.of(at(0, JAN, "s1", mobile),
                at(1, JAN.plus(Duration.ofDays(20)), "s1", memberNo("B")),
                at(2, JAN.plus(Duration.ofDays(200)), "s1", mobile, memberNo("B"))), Map.of(), ids, GUARDRAILS);
        assertThat(Set.copyOf(members(result))).hasSize(1);
        assertThat(result.merges()).singleElement().satisfies(merge -> {
            assertThat(merge.rule()).isEqualTo("phone");
            assertThat(merge.identifiers()).contains(mobile.toString(), memberNo("B").toString());
        });
    }

    @Test
    void aSecondMiniProgramsOpenidIsNoReissueEvenIfTheHolderHasAnotherOpenid() {
        Identifier mobile = phone("+8613912345678");
        Identifier firstApp = new Identifier(IdentifierType.OPENID, "oX3kt-first");
        Identifier secondApp = new Identifier(IdentifierType.OPENID, "oQ9vN-second");
        var result = BatchStitcher.stitch(List.of(at(0, JAN, "s1", mobile, firstApp),
                at(1, JAN.plus(Duration.ofDays(20)), "s1", secondApp),
                at(2, JAN.plus(Duration.ofDays(200)), "s1", mobile, secondApp)), Map.of(), ids, GUARDRAILS);
        assertThat(Set.copyOf(members(result))).hasSize(1);
        // a UnionID is one per person across the brand's apps: another one does contradict the holder
        Identifier union = new Identifier(IdentifierType.UNION_ID, "u-holder");
        Identifier otherUnion = new Identifier(IdentifierType.UNION_ID, "u-other");
        var reissued = BatchStitcher.stitch(List.of(at(0, JAN, "s1", mobile, union),
                at(1, JAN.plus(Duration.ofDays(20)), "s1", otherUnion),
                at(2, JAN.plus(Duration.ofDays(200)), "s1", mobile, otherUnion)), Map.of(), ids, GUARDRAILS);
        assertThat(members(reissued)).containsExactly("new-3", "new-4", "new-4");
        assertThat(reissued.merges()).isEmpty();
    }

    @Test
    void anOldNumberComingBackAfterItsHolderChangedNumberIsAnotherPerson() {
        Identifier oldMobile = phone("+8613912345678");
        Identifier newMobile = phone("+8613987654321");
        var result = BatchStitcher.stitch(List.of(at(0, JAN, "s1", oldMobile, memberNo("A")),
                at(1, JAN.plus(Duration.ofDays(40)), "s1", newMobile, memberNo("A")),
                at(2, JAN.plus(Duration.ofDays(200)), "s3", oldMobile)), Map.of(), ids, GUARDRAILS);
        assertThat(members(result)).containsExactly("new-1", "new-1", "new-2");
    }

    @Test
    void aPhoneReissuedAcrossImportsUsesWhatTheStoreKnows() {
        Identifier mobile = phone("+8613912345678");
        var known = new BatchStitcher.Known(Map.of(mobile, "old", memberNo("A"), "old"),
                Map.of(mobile, JAN, memberNo("A"), JAN), Set.of());
        var result = BatchStitcher.stitch(List.of(at(0, JAN.plus(Duration.ofDays(200)), "s2", mobile, memberNo("B"))),
                known, ids, GUARDRAILS);
        assertThat(members(result)).containsExactly("new-1");
        assertThat(result.newLinks()).containsEntry(mobile, "new-1");
    }

    @Test
    void aValueQuarantinedBeforeNeverDecides() {
        Identifier walkIn = phone("+8613912345678");
        var known = new BatchStitcher.Known(Map.of(walkIn, "someone"), Map.of(), Set.of(walkIn));
        var result = BatchStitcher.stitch(List.of(at(0, JAN, "s1", walkIn)), known, ids, GUARDRAILS);
        assertThat(members(result)).containsExactly("new-1");
    }

    @Test
    void sharedDevicesNeverMergeEvenWithGuardrails() {
        Identifier tablet = new Identifier(IdentifierType.DEVICE_ID, "tablet");
        var result = BatchStitcher.stitch(List.of(at(0, JAN, "s1", tablet, memberNo("A")),
                at(1, JAN, "s1", tablet, memberNo("B")), at(2, JAN, "s1", tablet)), Map.of(), ids, GUARDRAILS);
        assertThat(members(result)).doesNotHaveDuplicates();
    }

    @Test
    void withoutGuardrailsStitchingIsUnchanged() {
        Identifier placeholder = phone("13800000000");
        var result = BatchStitcher.stitch(List.of(at(0, JAN, "s1", placeholder, memberNo("A")),
                at(1, JAN, "s1", placeholder, memberNo("B"))), Map.of(), ids, StitchGuardrails.NONE);
        assertThat(members(result)).containsOnly("new-1");
        assertThat(result.quarantined()).isEmpty();
    }

    @Test
    void storesSeenInEarlierImportsCountTowardsPlaceholderDetection() {
        Identifier walkIn = phone("+8613912345678");
        var known = new BatchStitcher.Known(Map.of(walkIn, "first-guest"), Map.of(walkIn, JAN), Set.of(),
                Map.of(walkIn, Set.of("s1", "s2", "s3")));
        var result = BatchStitcher.stitch(List.of(at(0, JAN.plusSeconds(60), "s4", walkIn)), known, ids, GUARDRAILS);
        assertThat(result.quarantined()).containsExactly(walkIn);
        assertThat(members(result)).containsExactly("new-1");
    }
}
