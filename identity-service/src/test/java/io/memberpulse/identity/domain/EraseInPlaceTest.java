package io.memberpulse.identity.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A member erased in the live graph ({@link IdentityGraph#erase}) leaves the graph as a rebuild from the database after
 * the erasure would: the erasure's statements and scrubbed events are mirrored here on a small "database" (members,
 * identifier rows, stores, quarantine, stored events), loaded as StitchingGraph loads it.
 */
class EraseInPlaceTest {
    static final Instant T0 = Instant.parse("2025-03-01T02:00:00Z");
    static final Identifier PHONE_A = id(IdentifierType.PHONE, "+8613912345678");
    static final Identifier CARD_A = id(IdentifierType.MEMBER_NO, "M-A");
    static final Identifier UNION_A = id(IdentifierType.UNION_ID, "u-a");
    /** A's phone of before, re-issued to B: B's now. */
    static final Identifier PHONE_REISSUED = id(IdentifierType.PHONE, "+8613712340000");
    static final Identifier PHONE_B = id(IdentifierType.PHONE, "+8613812348000");
    static final Identifier CARD_B = id(IdentifierType.MEMBER_NO, "M-B");
    /** C's phone, one digit from A's: the same masked key and a phone-edit key. */
    static final Identifier PHONE_C = id(IdentifierType.PHONE, "+8613912345679");

    static Identifier id(IdentifierType type, String value) {
        return new Identifier(type, value);
    }

    /** What PostgreSQL holds, as far as the graph loads it. */
    static final class Db {
        final Map<String, String> members = new LinkedHashMap<>(); // id -> merged_into
        final Set<String> erased = new LinkedHashSet<>();
        final List<Object[]> links = new ArrayList<>(); // identifier, member, first, last
        final Set<Identifier> quarantined = new LinkedHashSet<>();
        final List<Object[]> stores = new ArrayList<>(); // identifier, store, last seen
        final List<Object[]> events = new ArrayList<>(); // member, evidence

        Db copy() {
            Db copy = new Db();
            copy.members.putAll(members);
            copy.erased.addAll(erased);
            copy.links.addAll(links);
            copy.quarantined.addAll(quarantined);
            copy.stores.addAll(stores);
            copy.events.addAll(events);
            return copy;
        }

        /** As StitchingGraph.load restores it. */
        IdentityGraph load() {
            IdentityGraph graph = new IdentityGraph(StitchGuardrails.DEFAULTS, MatchWeights.DEFAULTS);
            members.forEach(graph::restoreMember);
            erased.forEach(graph::restoreErased);
            links.forEach(l -> graph.restoreLink((Identifier) l[0], (String) l[1], (Instant) l[2], (Instant) l[3]));
            quarantined.forEach(graph::restoreQuarantine);
            stores.forEach(s -> graph.restoreStore((Identifier) s[0], (String) s[1], (Instant) s[2]));
            events.forEach(e -> graph.restoreEvent((String) e[0], (EventEvidence) e[1]));
            return graph;
        }

        /**
         * ErasureRepository.erase and ErasedEvents: the members' values go from the stores and the quarantine unless
         * another member holds them, their identifier rows go, their events keep key, time, store, order and coupon.
         */
        Db erased(Set<String> ids) {
            Db after = copy();
            Set<Identifier> theirs = new LinkedHashSet<>();
            Set<Identifier> othersHold = new LinkedHashSet<>();
            links.forEach(l -> (ids.contains((String) l[1]) ? theirs : othersHold).add((Identifier) l[0]));
            theirs.removeAll(othersHold);
            after.stores.removeIf(s -> theirs.contains((Identifier) s[0]));
            after.quarantined.removeAll(theirs);
            after.links.removeIf(l -> ids.contains((String) l[1]));
            after.events.replaceAll(e -> {
                if (!ids.contains((String) e[0])) {
                    return e;
                }
                EventEvidence event = (EventEvidence) e[1];
                return new Object[] {e[0], new EventEvidence(event.index(), event.eventKey(), List.of(),
                        event.occurredAt(), event.storeId(), null, null, null, event.sameOrderAs(), event.orderKey(),
                        event.couponId())};
            });
            after.erased.addAll(ids);
            return after;
        }
    }

    final AtomicInteger next = new AtomicInteger();
    final Supplier<String> ids = () -> "new-" + next.incrementAndGet();
    Db db;
    IdentityGraph graph;

    static Instant day(int day) {
        return T0.plusSeconds(86_400L * day);
    }

    static EventEvidence event(int index, int day, String store, String name, String address, String city,
            String order, String coupon, Identifier... identifiers) {
        return EventEvidence.of(index, "pos:e" + index, List.of(identifiers), day(day), store, name, address, city,
                null, order, coupon);
    }

    /**
     * A (with A2 merged into it: its UnionID) holds a phone, a card and a device; its phone of before was re-issued to
     * B; B shares A's surname and store; C's phone is one digit from A's.
     */
    @BeforeEach
    void database() {
        db = new Db();
        db.members.put("a", null);
        db.members.put("a2", "a");
        db.members.put("b", null);
        db.members.put("c", null);
        db.links.add(new Object[] {PHONE_A, "a", day(10), day(20)});
        db.links.add(new Object[] {CARD_A, "a", null, day(20)});
        db.links.add(new Object[] {UNION_A, "a2", null, day(12)});
        db.links.add(new Object[] {PHONE_REISSUED, "b", day(400), day(400)});
        db.links.add(new Object[] {PHONE_B, "b", day(5), day(400)});
        db.links.add(new Object[] {CARD_B, "b", null, day(400)});
        db.links.add(new Object[] {PHONE_C, "c", day(30), day(30)});
        db.stores.add(new Object[] {PHONE_A, "s-1", day(20)});
        db.stores.add(new Object[] {PHONE_A, "s-2", day(10)});
        db.stores.add(new Object[] {CARD_A, "s-1", day(20)});
        db.stores.add(new Object[] {UNION_A, "s-1", day(12)});
        db.stores.add(new Object[] {PHONE_REISSUED, "s-3", day(400)});
        db.stores.add(new Object[] {PHONE_B, "s-1", day(400)});
        db.stores.add(new Object[] {CARD_B, "s-1", day(400)});
        db.stores.add(new Object[] {PHONE_C, "s-2", day(30)});
        db.events.add(new Object[] {"a", event(0, 1, "s-3", null, null, null, null, null, PHONE_REISSUED)});
        db.events.add(new Object[] {"a", event(1, 10, "s-2", "王小明", "延安路242号梧桐苑25号楼1105室", "上海", null, null,
                PHONE_A, id(IdentifierType.DEVICE_ID, "dev-a"))});
        db.events.add(new Object[] {"a", event(2, 20, "s-1", "王小明", null, "上海", "pos:o-1", "cp-1", PHONE_A, CARD_A,
                id(IdentifierType.DEVICE_ID, "dev-a"))});
        db.events.add(new Object[] {"a2", event(3, 12, "s-1", null, null, null, null, null, UNION_A)});
        db.events.add(new Object[] {"b", event(4, 400, "s-1", "王伟", null, "上海", "pos:o-2", null, PHONE_B, CARD_B)});
        db.events.add(new Object[] {"b", event(5, 400, "s-3", null, null, null, null, null, PHONE_REISSUED)});
        db.events.add(new Object[] {"c", event(6, 30, "s-2", "李娜", null, null, null, null, PHONE_C,
                id(IdentifierType.DEVICE_ID, "dev-c"))});
        graph = db.load();
    }

    @Test
    void erasedInPlaceTheGraphIsTheRebuiltOne() {
        IdentityGraph rebuilt = db.erased(Set.of("a", "a2")).load();

        assertThat(graph.erase(List.of("a", "a2"))).isTrue();

        assertThat(graph.describe()).containsExactlyElementsOf(rebuilt.describe());
    }

    @Test
    void erasedInPlaceTheGraphLinksTheNextEventsAsTheRebuiltOne() {
        IdentityGraph rebuilt = db.erased(Set.of("a", "a2")).load();
        graph.erase(List.of("a", "a2"));
        AtomicInteger rebuiltNext = new AtomicInteger();
        List<EventEvidence> next = List.of(
                event(10, 500, "s-1", "王小明", "延安路242号梧桐苑25号楼1105室", "上海", "pos:o-1", null, PHONE_A),
                event(11, 500, "s-2", null, null, null, null, null, CARD_A, PHONE_C),
                event(12, 501, "s-1", "王伟", null, null, null, null, PHONE_B, UNION_A),
                event(13, 502, "s-2", null, null, null, null, null, id(IdentifierType.MASKED_PHONE, "139****5678")),
                event(14, 503, "s-3", null, null, null, null, null, id(IdentifierType.DEVICE_ID, "dev-a")));

        IdentityGraph.BatchOutcome inPlace = graph.stitch(next, ids);
        IdentityGraph.BatchOutcome fromDatabase = rebuilt.stitch(next, () -> "new-" + rebuiltNext.incrementAndGet());

        assertThat(comparable(inPlace)).isEqualTo(comparable(fromDatabase));
        assertThat(graph.describe()).containsExactlyElementsOf(rebuilt.describe());
    }

    /** The outcome with its first and last uses as lists (arrays compare by reference). */
    static List<Object> comparable(IdentityGraph.BatchOutcome outcome) {
        Map<Identifier, List<Instant>> seen = new LinkedHashMap<>();
        outcome.seen().forEach((identifier, times) -> seen.put(identifier, List.of(times)));
        return List.of(outcome.assignments(), outcome.newMembers(), outcome.newLinks(), seen, outcome.quarantined(),
                outcome.merges(), outcome.conflicts(), outcome.storesSeen(), outcome.pastHeld());
    }

    @Test
    void noErasedValueFindsAnybody() {
        graph.erase(List.of("a", "a2"));

        assertThat(graph.ownerOf(PHONE_A)).isEmpty();
        assertThat(graph.ownerOf(CARD_A)).isEmpty();
        assertThat(graph.ownerOf(UNION_A)).isEmpty();
    }

    @Test
    void aNewEventWithTheErasedPhoneMakesANewMember() {
        graph.erase(List.of("a", "a2"));

        IdentityGraph.BatchOutcome outcome = graph.stitch(List.of(event(10, 500, "s-1", null, null, null, null, null,
                PHONE_A)), ids);

        String member = graph.root(outcome.assignments().get(0).memberId());
        assertThat(member).isEqualTo("new-1");
        assertThat(graph.ownerOf(PHONE_A)).contains("new-1");
    }

    @Test
    void theOtherMembersKeepWhatTheyHold() {
        List<String> before = graph.describe().stream().filter(l -> l.contains(" b") || l.contains(" c")).toList();

        graph.erase(List.of("a", "a2"));

        assertThat(graph.ownerOf(PHONE_REISSUED)).contains("b"); // A's phone of before stays its new holder's
        assertThat(graph.ownerOf(PHONE_B)).contains("b");
        assertThat(graph.ownerOf(PHONE_C)).contains("c");
        assertThat(graph.describe().stream().filter(l -> l.startsWith("owner") || l.startsWith("stores")
                || l.startsWith("profile b") || l.startsWith("profile c")))
                .containsAll(before.stream().filter(l -> l.startsWith("owner") || l.startsWith("stores")
                        || l.startsWith("profile b") || l.startsWith("profile c")).toList());
    }

    @Test
    void aPlaceholderSeenInTheirEventsAndOthersIsNoObstacle() {
        // a walk-in phone typed for A and for C: quarantined, it names nobody, and a rebuild counts nothing for it
        Identifier walkIn = id(IdentifierType.PHONE, "+8613800138000");
        db.quarantined.add(walkIn);
        db.events.add(new Object[] {"a", event(7, 21, "s-1", null, null, null, null, null, CARD_A, walkIn)});
        db.events.add(new Object[] {"c", event(8, 31, "s-2", null, null, null, null, null, PHONE_C, walkIn)});
        graph = db.load();
        IdentityGraph rebuilt = db.erased(Set.of("a", "a2")).load();

        assertThat(graph.erase(List.of("a", "a2"))).isTrue();

        assertThat(graph.describe()).containsExactlyElementsOf(rebuilt.describe());
    }

    @Test
    void anErasedMemberHoldingAQuarantinedValueIsLeftToARebuild() {
        // the quarantine goes with the value, and a rebuild counts its companions afresh from the other members' events
        db.quarantined.add(CARD_A);
        graph = db.load();
        List<String> before = graph.describe();

        assertThat(graph.erase(List.of("a", "a2"))).isFalse();

        assertThat(graph.describe()).containsExactlyElementsOf(before);
    }

    @Test
    void anErasedValueSeenWithAnotherMembersValueIsLeftToARebuild() {
        // B's event showing A's card: which of the events showing them together the erasure scrubs, the graph cannot tell
        db.events.add(new Object[] {"b", event(7, 401, "s-1", null, null, null, null, null, PHONE_B, CARD_A)});
        graph = db.load();
        List<String> before = graph.describe();

        assertThat(graph.erase(List.of("a", "a2"))).isFalse();

        assertThat(graph.describe()).containsExactlyElementsOf(before);
    }
}
