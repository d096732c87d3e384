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
            StitchGuardrails.limits(2, 1, 2, 2, 2, 2), Duration.ofDays(90), Duration.ofDays(30));

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

    // ---- per-type limits count the values held at the event's time ----

    static Instant on(String date) {
        return Instant.parse(date + "T02:00:00Z");
    }

    static EventEvidence shows(Instant when, Identifier... identifiers) {
        return new EventEvidence(0, List.of(identifiers), when, "s1");
    }

    /** Links one event through the graph; returns its member as it stands now. */
    String link(IdentityGraph graph, EventEvidence event) {
        return graph.root(graph.stitch(List.of(event), ids).assignments().get(0).memberId());
    }

    @Test
    void aMemberWhoChangedPhonesOverTheYearsTakesAFourthNumberAndStaysOneMember() {
        IdentityGraph graph = new IdentityGraph(StitchGuardrails.DEFAULTS, MatchWeights.OFF); // 3 phones a member
        Identifier card = memberNo("CARD-1");
        String member = link(graph, shows(on("2019-03-01"), phone("+8613911110001"), card));
        link(graph, shows(on("2020-03-01"), phone("+8613911110002"), card));
        link(graph, shows(on("2021-03-01"), phone("+8613911110003"), card));

        var fourth = graph.stitch(List.of(shows(on("2023-03-01"), phone("+8613911110004"), card)), ids);
        assertThat(fourth.conflicts()).isZero();
        assertThat(fourth.newLinks()).containsEntry(phone("+8613911110004"), member);
        // the new number alone finds the member: no false split
        assertThat(link(graph, shows(on("2023-04-01"), phone("+8613911110004")))).isEqualTo(member);
        // the old numbers stay in the member's history
        assertThat(graph.ownerOf(phone("+8613911110001"))).contains(member);
        assertThat(graph.memberCount()).isEqualTo(1);
    }

    @Test
    void fourPhonesWithinTheSilencePeriodStillBreakTheLimit() {
        IdentityGraph graph = new IdentityGraph(StitchGuardrails.DEFAULTS, MatchWeights.OFF);
        Identifier card = memberNo("CARD-2");
        Instant start = on("2023-01-01");
        String member = link(graph, shows(start, phone("+8613922220001"), card));
        link(graph, shows(start.plus(Duration.ofDays(10)), phone("+8613922220002"), card));
        link(graph, shows(start.plus(Duration.ofDays(20)), phone("+8613922220003"), card));

        // the first number was used exactly 90 days ago: still held (only a longer silence ends a holding)
        var fourth = graph.stitch(List.of(shows(start.plus(Duration.ofDays(90)), phone("+8613922220004"), card)), ids);
        assertThat(fourth.conflicts()).isEqualTo(1);
        assertThat(fourth.newLinks()).doesNotContainKey(phone("+8613922220004"));
        assertThat(graph.ownerOf(phone("+8613922220004"))).isEmpty();
        // a day later it has been silent for 91 days: it no longer takes a place
        var fifth = graph.stitch(List.of(shows(start.plus(Duration.ofDays(91)), phone("+8613922220005"), card)), ids);
        assertThat(fifth.conflicts()).isZero();
        assertThat(fifth.newLinks()).containsEntry(phone("+8613922220005"), member);
    }

    @Test
    void anOldValueShownAgainIsHeldAgainAndStillIdentifiesItsMember() {
        IdentityGraph graph = new IdentityGraph(StitchGuardrails.DEFAULTS, MatchWeights.OFF); // 3 e-mails a member
        Identifier card = memberNo("CARD-3");
        List<Identifier> mails = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            mails.add(new Identifier(IdentifierType.EMAIL, "mail" + i + "@example.com"));
        }
        String member = link(graph, shows(on("2019-03-01"), mails.get(0), card));
        link(graph, shows(on("2020-03-01"), mails.get(1), card));
        link(graph, shows(on("2021-03-01"), mails.get(2), card));
        assertThat(link(graph, shows(on("2023-03-01"), mails.get(3), card))).isEqualTo(member);
        // the first address, unused for four years, comes back alone: an e-mail is never re-issued, so it is theirs
        assertThat(link(graph, shows(on("2023-04-01"), mails.get(0)))).isEqualTo(member);
        assertThat(mails).allSatisfy(mail -> assertThat(graph.ownerOf(mail)).contains(member));
        // an event showing an old value with a new one: the old one is in use then, so it takes its place
        Identifier fifth = new Identifier(IdentifierType.EMAIL, "mail5@example.com");
        Identifier sixth = new Identifier(IdentifierType.EMAIL, "mail6@example.com");
        var withOld = graph.stitch(List.of(shows(on("2023-04-02"), mails.get(1), fifth, card)), ids);
        assertThat(withOld.newLinks()).doesNotContainKey(fifth); // mail4, mail1 and mail2 held on 2023-04-02
        assertThat(withOld.conflicts()).isEqualTo(1);
        assertThat(graph.stitch(List.of(shows(on("2023-10-01"), sixth, card)), ids).newLinks())
                .as("every address silent since spring").containsEntry(sixth, member);
    }

    @Test
    void twoMembersMergeWhenTheValuesTheyHoldAtTheEventsTimeFitTheLimit() {
        Identifier card = memberNo("CARD-4");
        Identifier openid = new Identifier(IdentifierType.OPENID, "o-4");
        // the card holder used two numbers years ago, the app user two now: two numbers held on the day they meet
        IdentityGraph graph = new IdentityGraph(StitchGuardrails.DEFAULTS, MatchWeights.OFF);
        String holder = link(graph, shows(on("2019-03-01"), phone("+8613944440001"), card));
        link(graph, shows(on("2020-03-01"), phone("+8613944440002"), card));
        String appUser = link(graph, shows(on("2023-02-01"), phone("+8613944440003"), openid));
        link(graph, shows(on("2023-03-01"), phone("+8613944440004"), openid));
        assertThat(graph.canMerge(holder, appUser, on("2023-04-01"))).isTrue();
        assertThat(graph.canMerge(holder, appUser)).as("at no particular time every number counts").isFalse();
        var meeting = graph.stitch(List.of(shows(on("2023-04-01"), card, openid)), ids);
        assertThat(meeting.merges()).hasSize(1);
        assertThat(graph.root(holder)).isEqualTo(graph.root(appUser));

        // all four numbers in use within the silence period: the merge is refused as before
        IdentityGraph recent = new IdentityGraph(StitchGuardrails.DEFAULTS, MatchWeights.OFF);
        String cardHolder = link(recent, shows(on("2023-01-01"), phone("+8613955550001"), card));
        link(recent, shows(on("2023-02-01"), phone("+8613955550002"), card));
        String otherUser = link(recent, shows(on("2023-02-01"), phone("+8613955550003"), openid));
        link(recent, shows(on("2023-03-01"), phone("+8613955550004"), openid));
        var refused = recent.stitch(List.of(shows(on("2023-04-01"), card, openid)), ids);
        assertThat(refused.merges()).isEmpty();
        assertThat(recent.root(cardHolder)).isNotEqualTo(recent.root(otherUser));
    }

    @Test
    void twoUnionIdsShownTogetherNeverMergeHoweverLongOneWasSilent() {
        Identifier oldUnion = new Identifier(IdentifierType.UNION_ID, "u-old");
        Identifier newUnion = new Identifier(IdentifierType.UNION_ID, "u-new");
        IdentityGraph graph = new IdentityGraph(StitchGuardrails.DEFAULTS, MatchWeights.OFF);
        String first = link(graph, shows(on("2019-03-01"), oldUnion));
        String second = link(graph, shows(on("2023-03-01"), newUnion));
        var both = graph.stitch(List.of(shows(on("2023-04-01"), oldUnion, newUnion)), ids);
        assertThat(both.merges()).isEmpty();
        assertThat(graph.root(first)).isNotEqualTo(graph.root(second));
    }

    /** A UnionID is its person's for life: a second one on the member is somebody else, however long the first slept. */
    @Test
    void aSilentUnionIdStillTakesTheMembersOnePlace() {
        Identifier card = memberNo("CARD-5");
        Identifier oldUnion = new Identifier(IdentifierType.UNION_ID, "u-first");
        Identifier newUnion = new Identifier(IdentifierType.UNION_ID, "u-second");
        IdentityGraph graph = new IdentityGraph(StitchGuardrails.DEFAULTS, MatchWeights.OFF); // 1 UnionID a member
        String member = link(graph, shows(on("2019-03-01"), oldUnion, card));

        var later = graph.stitch(List.of(shows(on("2023-03-01"), newUnion, card)), ids);
        assertThat(later.conflicts()).isEqualTo(1);
        assertThat(later.newLinks()).doesNotContainKey(newUnion);
        assertThat(graph.ownerOf(newUnion)).isEmpty();
        assertThat(graph.ownerOf(oldUnion)).contains(member);
        // nor do two members holding one UnionID each become one through a card they share years later
        String other = link(graph, shows(on("2023-03-02"), newUnion));
        assertThat(graph.canMerge(member, other, on("2023-03-02"))).isFalse();
    }

    /** What a rebuilt graph gets from the store (member_identifier.last_seen) is enough to tell past holdings. */
    @Test
    void theLastUseStoredWithEachLinkTellsPastHoldingsAfterARebuild() {
        Identifier card = memberNo("CARD-6");
        var known = new BatchStitcher.Known(
                Map.of(phone("+8613966660001"), "old", phone("+8613966660002"), "old", phone("+8613966660003"), "old",
                        card, "old"),
                Map.of(phone("+8613966660001"), on("2019-03-01"), phone("+8613966660002"), on("2020-03-01"),
                        phone("+8613966660003"), on("2021-03-01"), card, on("2021-03-01")),
                Set.of());
        var result = BatchStitcher.stitch(List.of(at(0, on("2023-03-01"), "s1", phone("+8613966660004"), card),
                at(1, on("2023-04-01"), "s1", phone("+8613966660004"))), known, ids, StitchGuardrails.DEFAULTS);
        assertThat(members(result)).containsExactly("old", "old");
        assertThat(result.newLinks()).containsEntry(phone("+8613966660004"), "old");
        assertThat(result.conflicts()).isZero();
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
                Map.of(walkIn, Map.of("s1", JAN, "s2", JAN, "s3", JAN)));
        var result = BatchStitcher.stitch(List.of(at(0, JAN.plusSeconds(60), "s4", walkIn)), known, ids, GUARDRAILS);
        assertThat(result.quarantined()).containsExactly(walkIn);
        assertThat(members(result)).containsExactly("new-1");
    }

    /** Stores seen longer than stores-window (30 days here) before the event no longer count; one seen within it does. */
    @Test
    void storesSeenLongerThanTheWindowBeforeTheEventNoLongerCount() {
        Identifier member = phone("+8613912345678");
        Instant longAgo = JAN.minus(Duration.ofDays(31));
        var known = new BatchStitcher.Known(Map.of(member, "loyal"), Map.of(member, JAN), Set.of(),
                Map.of(member, Map.of("s1", longAgo, "s2", longAgo, "s3", JAN.minus(Duration.ofDays(29)))));
        var result = BatchStitcher.stitch(List.of(at(0, JAN, "s4", member)), known, ids, GUARDRAILS);
        assertThat(result.quarantined()).isEmpty();
        assertThat(members(result)).containsExactly("loyal");
        var stillCounting = new BatchStitcher.Known(Map.of(member, "loyal"), Map.of(member, JAN), Set.of(),
                Map.of(member, Map.of("s1", longAgo, "s2", JAN.minus(Duration.ofDays(29)), "s3", JAN.minus(Duration.ofDays(29)))));
        assertThat(BatchStitcher.stitch(List.of(at(0, JAN, "s4", member), at(1, JAN.plusSeconds(60), "s5", member)),
                stillCounting, ids, GUARDRAILS).quarantined()).containsExactly(member);
    }
}
