package io.memberpulse.identity.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Companions quarantine a value only when they cannot be one person's: more than max-identities-per-value (8) in all
 * and, of some type, more than one member may hold (StitchGuardrails.DEFAULTS: member_no 2, union_id 1, phone,
 * openid, platform_uid, email 3).
 */
class PlaceholderDetectorTest {
    static final Instant START = Instant.parse("2025-01-10T10:00:00Z");
    static final Identifier PHONE = id(IdentifierType.PHONE, "+8613912345678");

    final AtomicInteger next = new AtomicInteger();
    final Supplier<String> ids = () -> "m-" + next.incrementAndGet();

    static Identifier id(IdentifierType type, String value) {
        return new Identifier(type, value);
    }

    /** Everything one heavy multi-channel member holds beside their phone, each type at its limit: 12 values. */
    static List<Identifier> oneMembersOwnIds() {
        List<Identifier> own = new ArrayList<>();
        own.add(id(IdentifierType.MEMBER_NO, "M-1"));
        own.add(id(IdentifierType.MEMBER_NO, "M-2"));
        own.add(id(IdentifierType.UNION_ID, "u-1"));
        for (int i = 1; i <= 3; i++) {
            own.add(id(IdentifierType.OPENID, "o-" + i));
            own.add(id(IdentifierType.PLATFORM_UID, "p-" + i));
            own.add(id(IdentifierType.EMAIL, "e" + i + "@example.com"));
        }
        return own;
    }

    /** The phone with one other identifier, a day after the event before. */
    static EventEvidence seen(int day, Identifier companion) {
        return new EventEvidence(0, List.of(PHONE, companion), START.plus(Duration.ofDays(day)), "s1");
    }

    /** The member's events, each companion once and then every one again: 24 events, one batch each. */
    static List<EventEvidence> heavyMembersEvents() {
        List<Identifier> own = oneMembersOwnIds();
        List<EventEvidence> events = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            for (Identifier companion : own) {
                events.add(seen(events.size(), companion));
            }
        }
        return events;
    }

    @Test
    void aHeavyMembersOwnPhoneSeenWithTwelveIdsAllWithinThePerTypeLimitsIsNoPlaceholder() {
        IdentityGraph graph = new IdentityGraph(StitchGuardrails.DEFAULTS, MatchWeights.OFF);
        for (EventEvidence event : heavyMembersEvents()) {
            assertThat(graph.stitch(List.of(event), ids).quarantined()).isEmpty();
        }
        assertThat(graph.isQuarantined(PHONE)).isFalse();
        // and it stitched them all into one member
        String member = graph.ownerOf(PHONE).orElseThrow();
        for (Identifier own : oneMembersOwnIds()) {
            assertThat(graph.ownerOf(own)).as("%s", own).contains(member);
        }
    }

    /** Within one batch (an import) as well. */
    @Test
    void theHeavyMembersEventsInOneBatchQuarantineNothingEither() {
        IdentityGraph graph = new IdentityGraph(StitchGuardrails.DEFAULTS, MatchWeights.OFF);
        assertThat(graph.stitch(heavyMembersEvents(), ids).quarantined()).isEmpty();
    }

    /** A second UnionID beside the 12: no one person's (WeChat gives one), so the phone is a placeholder after all. */
    @Test
    void aSecondUnionIdBesideTheTwelveMakesThePhoneAPlaceholderLiveAndAfterARebuild() {
        IdentityGraph live = new IdentityGraph(StitchGuardrails.DEFAULTS, MatchWeights.OFF);
        IdentityGraph rebuilt = new IdentityGraph(StitchGuardrails.DEFAULTS, MatchWeights.OFF);
        for (EventEvidence event : heavyMembersEvents()) {
            var outcome = live.stitch(List.of(event), ids);
            String member = outcome.assignments().get(0).memberId();
            outcome.newLinks().forEach((identifier, holder) -> rebuilt.restoreLink(identifier, holder, event.occurredAt()));
            rebuilt.restoreEvent(member, event);
        }
        EventEvidence guest = seen(100, id(IdentifierType.UNION_ID, "u-guest"));
        assertThat(live.stitch(List.of(guest), ids).quarantined()).containsExactly(PHONE);
        assertThat(rebuilt.stitch(List.of(guest), ids).quarantined()).containsExactly(PHONE);
    }

    /**
     * Walk-in guests each with a UnionID of their own: the type passes its limit at the second guest, the total at the
     * ninth, which quarantines the phone, whatever the order (the kept companions are bounded but decide alike).
     */
    @Test
    void aPhoneWithSeveralUnionIdsIsQuarantinedOnceItHasMoreThanTheLimitInAll() {
        IdentityGraph graph = new IdentityGraph(StitchGuardrails.DEFAULTS, MatchWeights.OFF);
        for (int i = 0; i < 9; i++) {
            var outcome = graph.stitch(List.of(seen(i, id(IdentifierType.UNION_ID, "guest-" + i))), ids);
            assertThat(outcome.quarantined()).as("guest %d", i).isEqualTo(i == 8 ? Set.of(PHONE) : Set.of());
        }
        // 8 ids of one member (its UnionID among them), then a guest's UnionID: the ninth id in all, the second UnionID
        IdentityGraph mixed = new IdentityGraph(StitchGuardrails.DEFAULTS, MatchWeights.OFF);
        List<Identifier> own = oneMembersOwnIds().subList(0, 8);
        for (int i = 0; i < own.size(); i++) {
            assertThat(mixed.stitch(List.of(seen(i, own.get(i))), ids).quarantined()).isEmpty();
        }
        assertThat(mixed.stitch(List.of(seen(9, id(IdentifierType.UNION_ID, "guest-a"))), ids).quarantined())
                .containsExactly(PHONE);
    }

    /** A type without a per-member limit counts toward the total only: many of it never decide alone. */
    @Test
    void aTypeWithoutALimitCountsOnlyTowardTheTotal() {
        StitchGuardrails d = StitchGuardrails.DEFAULTS;
        StitchGuardrails emailsUnlimited = new StitchGuardrails(d.blockedValues(), d.maxStoresPerValue(),
                d.maxIdentitiesPerValue(), StitchGuardrails.limits(2, 1, 3, 3, 3, 0), d.reissueGap(), d.storesWindow());
        IdentityGraph graph = new IdentityGraph(emailsUnlimited, MatchWeights.OFF);
        for (int i = 0; i < 20; i++) {
            EventEvidence event = seen(i, id(IdentifierType.EMAIL, "guest" + i + "@example.com"));
            assertThat(graph.stitch(List.of(event), ids).quarantined()).as("e-mail %d", i).isEmpty();
        }
        assertThat(graph.stitch(List.of(seen(30, id(IdentifierType.MEMBER_NO, "G-1"))), ids).quarantined()).isEmpty();
        assertThat(graph.stitch(List.of(seen(31, id(IdentifierType.MEMBER_NO, "G-2"))), ids).quarantined()).isEmpty();
        assertThat(graph.stitch(List.of(seen(32, id(IdentifierType.MEMBER_NO, "G-3"))), ids).quarantined())
                .containsExactly(PHONE);
    }

    /**
     * A member who kept their card for four years and changed their number every four months, with an openid of the
     * mini-program each time: the card was seen with 12 phones and 12 openids, 25 ids in all, yet never more than 2
     * phones and 2 openids that the member held at the same time (the one given up was last seen over 90 days before).
     * The companions count like the per-type limits, so the card stays theirs, live and after a rebuild; counting all
     * history, the ninth phone made it a placeholder.
     */
    @Test
    void aMemberWhoChangedNumbersOverTheYearsKeepsTheirCard() {
        Identifier card = id(IdentifierType.MEMBER_NO, "M-1");
        IdentityGraph live = new IdentityGraph(StitchGuardrails.DEFAULTS, MatchWeights.OFF);
        IdentityGraph rebuilt = new IdentityGraph(StitchGuardrails.DEFAULTS, MatchWeights.OFF);
        for (int period = 0; period < 12; period++) {
            Identifier phone = id(IdentifierType.PHONE, "+86137123456%02d".formatted(period));
            Identifier openid = id(IdentifierType.OPENID, "o-" + period);
            for (int visit = 0; visit < 3; visit++) { // a visit a month, each number and openid for four months
                EventEvidence event = new EventEvidence(0, List.of(card, phone, openid, id(IdentifierType.UNION_ID, "u-1")),
                        START.plus(Duration.ofDays(120L * period + 30L * visit)), "s1");
                var outcome = live.stitch(List.of(event), ids);
                assertThat(outcome.quarantined()).as("period %d visit %d", period, visit).isEmpty();
                String member = outcome.assignments().get(0).memberId();
                outcome.newLinks().forEach((identifier, holder) -> rebuilt.restoreLink(identifier, holder, event.occurredAt()));
                rebuilt.restoreEvent(member, event);
            }
        }
        assertThat(live.isQuarantined(card)).isFalse();
        String member = live.ownerOf(card).orElseThrow();
        assertThat(live.ownerOf(id(IdentifierType.PHONE, "+8613712345611"))).contains(member);
        // the graph rebuilt from the stored events counts alike: the next number leaves the card alone there too
        EventEvidence next = new EventEvidence(0, List.of(card, id(IdentifierType.PHONE, "+8613712345612")),
                START.plus(Duration.ofDays(120L * 12)), "s1");
        assertThat(live.stitch(List.of(next), ids).quarantined()).isEmpty();
        assertThat(rebuilt.stitch(List.of(next), ids).quarantined()).isEmpty();
        assertThat(rebuilt.ownerOf(card)).isEqualTo(rebuilt.ownerOf(id(IdentifierType.PHONE, "+8613712345612")));
    }

    /**
     * The phone of a member who changed cards every four months (12 cards in four years, the phone's holder one
     * person throughout) becomes the till's walk-in phone: guests with cards of their own within days. The companions
     * kept are the most recently seen, not the first, so the years before do not hide the guests: the eighth guest
     * (with the member's last card, 9 ids counting now, 9 cards) quarantines it, live and after a rebuild.
     */
    @Test
    void aWalkInPhoneCollectingGuestsWithinDaysIsCaughtAfterYearsOfOneMembersUse() {
        IdentityGraph live = new IdentityGraph(StitchGuardrails.DEFAULTS, MatchWeights.OFF);
        IdentityGraph rebuilt = new IdentityGraph(StitchGuardrails.DEFAULTS, MatchWeights.OFF);
        List<EventEvidence> events = new ArrayList<>();
        for (int card = 0; card < 12; card++) {
            for (int visit = 0; visit < 3; visit++) {
                events.add(new EventEvidence(0, List.of(PHONE, id(IdentifierType.MEMBER_NO, "M-" + card)),
                        START.plus(Duration.ofDays(120L * card + 30L * visit)), "s1"));
            }
        }
        Instant walkIns = START.plus(Duration.ofDays(120L * 11 + 61));
        for (int guest = 1; guest <= 8; guest++) {
            events.add(new EventEvidence(0, List.of(PHONE, id(IdentifierType.MEMBER_NO, "G-" + guest)),
                    walkIns.plus(Duration.ofHours(12L * guest)), "s2"));
        }
        for (int i = 0; i < events.size(); i++) {
            EventEvidence event = events.get(i);
            var outcome = live.stitch(List.of(event), ids);
            assertThat(outcome.quarantined()).as("event %d", i).isEqualTo(i == events.size() - 1 ? Set.of(PHONE) : Set.of());
            if (i < events.size() - 1) {
                String member = outcome.assignments().get(0).memberId();
                outcome.newLinks().forEach((identifier, holder) -> rebuilt.restoreLink(identifier, holder, event.occurredAt()));
                rebuilt.restoreEvent(member, event);
            }
        }
        assertThat(rebuilt.stitch(List.of(events.get(events.size() - 1)), ids).quarantined()).containsExactly(PHONE);
    }

    /**
     * A loyal member who shops at a new store of the chain every two months (moving house, travelling for work), each
     * visit a request of its own: 13 stores over two years, never more than two within three months. Only the stores
     * the value was seen at within stores-window (90 days) before an event count, so the phone stays theirs and keeps
     * stitching; counted over all time the 13th store quarantined it for good.
     */
    @Test
    void aLoyalMembersPhoneSeenAtThirteenStoresOverTwoYearsStaysTheirs() {
        IdentityGraph graph = new IdentityGraph(StitchGuardrails.DEFAULTS, MatchWeights.OFF);
        Identifier card = id(IdentifierType.MEMBER_NO, "M-1");
        for (int store = 1; store <= 13; store++) {
            EventEvidence visit = new EventEvidence(0, List.of(PHONE, card), START.plus(Duration.ofDays(60L * store)),
                    "s" + store);
            assertThat(graph.stitch(List.of(visit), ids).quarantined()).as("store %d", store).isEmpty();
        }
        assertThat(graph.isQuarantined(PHONE)).isFalse();
        assertThat(graph.ownerOf(PHONE)).isEqualTo(graph.ownerOf(card));
    }

    /**
     * A walk-in phone typed at 13 stores within three weeks, one guest a request: the 13th store within the window
     * quarantines it. The window counts back from each event's time, not from the clock: a store seen a day less than
     * the window before counts, one seen a day more before no longer does.
     */
    @Test
    void aWalkInPhoneAtThirteenStoresWithinTheWindowIsQuarantinedCountingFromTheEventsTime() {
        Duration window = StitchGuardrails.DEFAULTS.storesWindow();
        IdentityGraph graph = new IdentityGraph(StitchGuardrails.DEFAULTS, MatchWeights.OFF);
        Instant first = START.plus(Duration.ofDays(400));
        Instant pastWindow = first.plus(window).plus(Duration.ofDays(1));
        graph.stitch(List.of(new EventEvidence(0, List.of(PHONE), first, "s-old")), ids);
        for (int store = 1; store <= 11; store++) { // a day past the window after s-old, then a store a day or so
            assertThat(graph.stitch(List.of(new EventEvidence(0, List.of(PHONE),
                    pastWindow.plus(Duration.ofHours(40L * store)), "s" + store)), ids).quarantined())
                    .as("store %d", store).isEmpty();
        }
        // 11 stores within the window, s-old out of it: a 12th is within the limit
        Instant twelfth = pastWindow.plus(Duration.ofHours(40L * 12));
        assertThat(graph.stitch(List.of(new EventEvidence(0, List.of(PHONE), twelfth, "s12")), ids).quarantined())
                .isEmpty();
        assertThat(graph.stitch(List.of(new EventEvidence(0, List.of(PHONE), twelfth.plusSeconds(3600), "s13")), ids)
                .quarantined()).containsExactly(PHONE);
        // s-old seen a day less than the window before a 12th store counts: 13 stores within the window
        IdentityGraph other = new IdentityGraph(StitchGuardrails.DEFAULTS, MatchWeights.OFF);
        other.stitch(List.of(new EventEvidence(0, List.of(PHONE), first, "s-old")), ids);
        for (int store = 1; store <= 11; store++) {
            assertThat(other.stitch(List.of(new EventEvidence(0, List.of(PHONE),
                    first.plus(Duration.ofHours(12L * store)), "s" + store)), ids).quarantined()).isEmpty();
        }
        Instant dayInside = first.plus(window).minus(Duration.ofDays(1));
        assertThat(other.stitch(List.of(new EventEvidence(0, List.of(PHONE), dayInside, "s12")), ids).quarantined())
                .containsExactly(PHONE);
    }

    /**
     * A graph restored from the rows the batches wrote (each store with its latest time, as identifier_store keeps
     * them) decides as the live one: the loyal member's 14th store leaves the phone alone in both, a walk-in phone's
     * 13th store within the window quarantines it in both.
     */
    @Test
    void aGraphRestoredFromTheStoredStoresAndTimesDecidesAsTheLiveOne() {
        Identifier walkIn = id(IdentifierType.PHONE, "+8613712340000");
        IdentityGraph live = new IdentityGraph(StitchGuardrails.DEFAULTS, MatchWeights.OFF);
        Map<Identifier, Map<String, Instant>> written = new HashMap<>();
        List<EventEvidence> events = new ArrayList<>();
        for (int store = 1; store <= 13; store++) {
            Instant day = START.plus(Duration.ofDays(60L * store));
            events.add(new EventEvidence(0, List.of(PHONE), day, "s" + store));
            events.add(new EventEvidence(0, List.of(PHONE), day.plus(Duration.ofDays(2)), "s" + store)); // again later
        }
        for (int store = 1; store <= 12; store++) {
            events.add(new EventEvidence(0, List.of(walkIn), START.plus(Duration.ofDays(800 + store)), "w" + store));
        }
        for (EventEvidence event : events) {
            var outcome = live.stitch(List.of(event), ids);
            assertThat(outcome.quarantined()).isEmpty();
            outcome.storesSeen().forEach((value, seenAt) -> seenAt.forEach((store, at) -> written
                    .computeIfAbsent(value, v -> new HashMap<>()).merge(store, at, (a, b) -> a.isAfter(b) ? a : b)));
        }
        assertThat(written.get(PHONE)).as("each store with its latest time").hasSize(13)
                .containsEntry("s1", START.plus(Duration.ofDays(62)));
        IdentityGraph restored = new IdentityGraph(StitchGuardrails.DEFAULTS, MatchWeights.OFF);
        List<Map.Entry<Identifier, Map<String, Instant>>> rows = new ArrayList<>(written.entrySet());
        Collections.shuffle(rows, new Random(3));
        rows.forEach(row -> row.getValue().forEach((store, at) -> restored.restoreStore(row.getKey(), store, at)));
        for (IdentityGraph graph : List.of(live, restored)) {
            assertThat(graph.stitch(List.of(new EventEvidence(0, List.of(PHONE), START.plus(Duration.ofDays(60L * 14)),
                    "s14")), ids).quarantined()).isEmpty();
            assertThat(graph.stitch(List.of(new EventEvidence(0, List.of(walkIn), START.plus(Duration.ofDays(813)),
                    "w13")), ids).quarantined()).containsExactly(walkIn);
        }
    }

    /**
     * The kept stores are bounded and decide as all of them would, whatever the order they were seen in (a rebuild
     * reads the stored rows in key order, not in time): random sightings over two years, in two orders, against
     * counting every store.
     */
    @Test
    void theBoundedStoresDecideAsAllWouldInAnyOrder() {
        StitchGuardrails guardrails = StitchGuardrails.DEFAULTS;
        int keep = guardrails.maxStoresPerValue() + 1;
        Random random = new Random(11);
        for (int round = 0; round < 200; round++) {
            List<Map.Entry<String, Instant>> seen = new ArrayList<>();
            int count = 1 + random.nextInt(80);
            for (int i = 0; i < count; i++) {
                seen.add(Map.entry("s" + random.nextInt(40), START.plus(Duration.ofHours(random.nextInt(2 * 365 * 24)))));
            }
            StoresSeen inOrder = new StoresSeen();
            seen.forEach(s -> inOrder.see(s.getKey(), s.getValue(), keep));
            List<Map.Entry<String, Instant>> other = new ArrayList<>(seen);
            Collections.shuffle(other, random);
            StoresSeen shuffled = new StoresSeen();
            other.forEach(s -> shuffled.see(s.getKey(), s.getValue(), keep));
            assertThat(inOrder.size()).isLessThanOrEqualTo(keep);
            Map<String, Instant> last = new HashMap<>();
            seen.forEach(s -> last.merge(s.getKey(), s.getValue(), (a, b) -> a.isAfter(b) ? a : b));
            for (int day = 0; day < 2 * 365 + 60; day += 5) {
                Instant at = START.plus(Duration.ofDays(day));
                Instant from = at.minus(guardrails.storesWindow());
                boolean all = last.values().stream().filter(t -> !t.isBefore(from)).count()
                        > guardrails.maxStoresPerValue();
                assertThat(inOrder.tooMany(at, guardrails)).as("round %d day %d", round, day).isEqualTo(all);
                assertThat(shuffled.tooMany(at, guardrails)).as("round %d day %d", round, day).isEqualTo(all);
            }
        }
    }

    /**
     * The kept companions are bounded and decide as all of them would, whatever the order they were seen in (a rebuild
     * reads the stored events in key order, not in time): random companions over three years, in two orders, against
     * counting every one of them.
     */
    @Test
    void theBoundedCompanionsDecideAsAllWouldInAnyOrder() {
        StitchGuardrails guardrails = StitchGuardrails.DEFAULTS;
        Random random = new Random(7);
        IdentifierType[] types = {IdentifierType.MEMBER_NO, IdentifierType.UNION_ID, IdentifierType.OPENID,
            IdentifierType.PLATFORM_UID, IdentifierType.EMAIL};
        for (int round = 0; round < 200; round++) {
            List<Map.Entry<Identifier, Instant>> seen = new ArrayList<>();
            int count = 1 + random.nextInt(60);
            for (int i = 0; i < count; i++) {
                Identifier companion = id(types[random.nextInt(types.length)], "v" + random.nextInt(40));
                seen.add(Map.entry(companion, START.plus(Duration.ofDays(random.nextInt(3 * 365)))));
            }
            Companions inOrder = new Companions();
            Companions shuffled = new Companions();
            seen.forEach(s -> {
                inOrder.see(s.getKey(), s.getValue());
                inOrder.prune(guardrails);
            });
            List<Map.Entry<Identifier, Instant>> other = new ArrayList<>(seen);
            Collections.shuffle(other, random);
            other.forEach(s -> {
                shuffled.see(s.getKey(), s.getValue());
                shuffled.prune(guardrails);
            });
            assertThat(inOrder.size()).isLessThanOrEqualTo(9 + 3 + 2 + 4 + 4 + 4);
            for (int day = 0; day < 3 * 365 + 120; day += 15) {
                Instant at = START.plus(Duration.ofDays(day));
                boolean all = allCompanionsDecide(seen, at, guardrails);
                assertThat(inOrder.cannotBeOnePersons(at, guardrails)).as("round %d day %d", round, day).isEqualTo(all);
                assertThat(shuffled.cannotBeOnePersons(at, guardrails)).as("round %d day %d", round, day).isEqualTo(all);
            }
        }
    }

    /** The rule counted over every companion ever seen, unbounded: what the kept ones must decide alike. */
    static boolean allCompanionsDecide(List<Map.Entry<Identifier, Instant>> seen, Instant at, StitchGuardrails guardrails) {
        Map<Identifier, Instant> last = new HashMap<>();
        seen.forEach(s -> last.merge(s.getKey(), s.getValue(), (a, b) -> a.isAfter(b) ? a : b));
        Map<IdentifierType, Integer> perType = new HashMap<>();
        int counted = 0;
        for (Map.Entry<Identifier, Instant> entry : last.entrySet()) {
            if (entry.getKey().type().isLifelong() || !entry.getValue().plus(guardrails.reissueGap()).isBefore(at)) {
                counted++;
                perType.merge(entry.getKey().type(), 1, Integer::sum);
            }
        }
        boolean typeOver = perType.entrySet().stream().anyMatch(e -> e.getValue() > guardrails.limitOf(e.getKey()));
        return counted > guardrails.maxIdentitiesPerValue() && typeOver;
    }
}
