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
                d.maxIdentitiesPerValue(), StitchGuardrails.limits(2, 1, 3, 3, 3, 0), d.reissueGap());
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
}
