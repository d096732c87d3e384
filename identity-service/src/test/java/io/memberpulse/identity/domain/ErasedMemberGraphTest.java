package io.memberpulse.identity.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An erased member, as the graph is rebuilt after its erasure (its events kept without identifiers, keyed by their
 * orders), takes nothing new: neither a later event of one of its orders, nor a till's anonymous copy of one of its
 * order lines, nor a merge.
 */
class ErasedMemberGraphTest {
    static final Instant T0 = Instant.parse("2025-03-01T02:00:00Z");
    static final Identifier PHONE = new Identifier(IdentifierType.PHONE, "+8613912345678");

    final AtomicInteger next = new AtomicInteger();
    final Supplier<String> ids = () -> "new-" + next.incrementAndGet();
    IdentityGraph graph;

    static EventEvidence event(int index, String key, String orderKey, String sameOrderAs, Identifier... identifiers) {
        return new EventEvidence(index, key, List.of(identifiers), T0.plusSeconds(60L * index), "s-1", null, null, null,
                sameOrderAs, orderKey, null);
    }

    @BeforeEach
    void erasedMemberWithAnOrder() {
        graph = new IdentityGraph(StitchGuardrails.DEFAULTS, MatchWeights.DEFAULTS);
        graph.restoreMember("erased", null);
        graph.restoreMember("absorbed", "erased");
        graph.restoreEvent("erased", event(0, "miniapp:e0", "miniapp:o-1", null));
        graph.restoreErased("erased");
    }

    String memberOf(IdentityGraph.BatchOutcome outcome) {
        return graph.root(outcome.assignments().get(0).memberId());
    }

    @Test
    void aLaterRefundOfItsOrderShowingThePhoneIsSomebodyNew() {
        String member = memberOf(graph.stitch(List.of(event(1, "miniapp:r1", "miniapp:o-1", null, PHONE)), ids));
        assertThat(member).startsWith("new-");
        assertThat(graph.ownerOf(PHONE).map(graph::root)).contains(member);
    }

    @Test
    void aTillsAnonymousCopyOfItsOrderLineIsNotItsEither() {
        String member = memberOf(graph.stitch(List.of(event(1, "pos:t1", "pos:T-1", "miniapp:e0")), ids,
                Map.of("miniapp:e0", "erased")));
        assertThat(member).isNotIn("erased", "absorbed");
    }

    @Test
    void itMergesWithNobody() {
        String other = memberOf(graph.stitch(List.of(event(1, "pos:v1", null, null, PHONE)), ids));
        assertThat(graph.canMerge("erased", other, T0)).isFalse();
        assertThat(graph.canMerge("absorbed", other, T0)).isFalse();
        assertThat(graph.canMerge(other, "erased", T0)).isFalse();
    }
}
