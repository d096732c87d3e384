package io.memberpulse.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.identity.store.EventRow;
import io.memberpulse.identity.store.IdentityRepository;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class UnwrittenBatchesTest {
    static final Instant T = Instant.parse("2025-03-01T10:00:00Z");
    static final Duration WINDOW = Duration.ofMinutes(60);
    /** The load of the graph the batches were stitched on, as StitchingGraph numbers them. */
    static final long GRAPH = 1;

    static EventRow order(String source, String id, String store, Instant at, String duplicateOf) {
        return new EventRow(source, id, "m-" + id, "order", at, store, "o-" + id, new byte[0], duplicateOf, null);
    }

    static DuplicateOrders.Lines line(String store, String source, Instant at) {
        return new DuplicateOrders.Lines(List.of(store), List.of(source), List.of(at), List.of(), List.of());
    }

    @Test
    void eventsOfABatchBeingWrittenAreKnownUntilItCommitted() {
        UnwrittenBatches unwritten = new UnwrittenBatches();
        CompletableFuture<Void> committed = new CompletableFuture<>();
        unwritten.add(GRAPH, List.of(order("pos", "e1", "s1", T, null)), List.of(), committed);
        unwritten.prune(GRAPH);
        assertThat(unwritten.events().keySet()).containsExactly(IdentityRepository.eventKey("pos", "e1"));

        committed.complete(null); // from now on a read of the database finds it
        unwritten.prune(GRAPH);
        assertThat(unwritten.events().keySet()).isEmpty();
    }

    @Test
    void aFailedBatchIsKeptForItsGraphAndForgottenOnceTheGraphIsRebuilt() {
        UnwrittenBatches unwritten = new UnwrittenBatches();
        unwritten.add(GRAPH, List.of(order("pos", "e1", "s1", T, null)), List.of(), CompletableFuture.failedFuture(new RuntimeException()));
        unwritten.prune(GRAPH);
        assertThat(unwritten.events().keySet()).hasSize(1); // batches stitched after it on this graph are refused anyway

        unwritten.prune(GRAPH + 1);
        assertThat(unwritten.events().keySet()).isEmpty();
    }

    @Test
    void unwrittenOrderLinesNearTheBatchAreComparedLikeStoredOnes() {
        UnwrittenBatches unwritten = new UnwrittenBatches();
        unwritten.add(GRAPH, List.of(
                order("delivery", "d1", "s1", T, null),                  // near: other channel, same store, in the window
                order("pos", "p1", "s1", T, null),                       // same channel as the new line
                order("delivery", "d2", "s2", T, null),                  // other store
                order("delivery", "d3", "s1", T.plus(Duration.ofHours(2)), null), // outside the window
                order("delivery", "d4", "s1", T, "pos:p0")),             // a duplicate itself
                List.of(), new CompletableFuture<>());
        List<EventRow> near = unwritten.nearby(List.of(), line("s1", "pos", T.plusSeconds(600)), WINDOW);
        assertThat(near).extracting(EventRow::eventId).containsExactly("d1");
    }

    @Test
    void anOriginalPairedInAnUnwrittenBatchComesNamingItsDuplicate() {
        UnwrittenBatches unwritten = new UnwrittenBatches();
        unwritten.add(GRAPH, List.of(order("delivery", "d1", "s1", T, null), order("pos", "p9", "s1", T, "app:a1")),
                List.of(), new CompletableFuture<>());
        unwritten.add(GRAPH, List.of(order("pos", "p2", "s1", T, "delivery:d1")), List.of(), new CompletableFuture<>());
        EventRow stored = order("app", "a1", "s1", T, null); // the database does not know yet that p9 repeats it
        EventRow other = order("app", "a2", "s1", T, null);
        List<EventRow> near = unwritten.nearby(List.of(stored, other, other), line("s1", "miniapp", T), WINDOW);
        // an original is paired only once: the stored one comes as paired, which takes its order out of the
        // comparison, and the unwritten one does not come, as the database's query would not return it
        assertThat(near).extracting(EventRow::eventId, EventRow::repeatedBy).containsExactly(
                org.assertj.core.groups.Tuple.tuple("a1", "pos:p9"), org.assertj.core.groups.Tuple.tuple("a2", null));
    }

    @Test
    void theUnwrittenLinesOfTheBatchsOrdersAndOfTheOrdersNearComeWhateverTheirChannelAndPairing() {
        UnwrittenBatches unwritten = new UnwrittenBatches();
        EventRow t1 = new EventRow("pos", "t1", "m-t", "order", T, "s1", "S-1", new byte[0], "delivery:d1", null);
        EventRow d1 = new EventRow("delivery", "d1", "m-d", "order", T, "s1", "MT-1", new byte[0], null, null);
        EventRow d2 = new EventRow("delivery", "d2", "m-d", "order", T, "s1", "MT-1", new byte[0], null, null);
        EventRow d9 = new EventRow("delivery", "d9", "m-e", "order", T, "s1", "MT-9", new byte[0], null, null);
        unwritten.add(GRAPH, List.of(t1, d9), List.of(), new CompletableFuture<>());
        // the rest of the till order comes in the next batch; the delivery order's d2 is near it, d1 is paired
        List<EventRow> near = unwritten.nearby(List.of(d2, d1), new DuplicateOrders.Lines(List.of("s1"),
                List.of("pos"), List.of(T), List.of("pos"), List.of("S-1")), WINDOW);
        assertThat(near).extracting(EventRow::eventId, EventRow::pairedWith).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("d2", null), org.assertj.core.groups.Tuple.tuple("d1", "pos:t1"),
                org.assertj.core.groups.Tuple.tuple("t1", "delivery:d1"), org.assertj.core.groups.Tuple.tuple("d9", null));
    }

    @Test
    void aLineAnUnwrittenBatchRetractedComesFlaggedThoughTheDatabaseStillCountsIt() {
        UnwrittenBatches unwritten = new UnwrittenBatches();
        EventRow t1 = new EventRow("pos", "t1", "m-t", "order", T, "s1", "S-1", new byte[0], null, null);
        EventRow d1 = new EventRow("delivery", "d1", "m-d", "order", T, "s1", "MT-1", new byte[0], null, null);
        EventRow t1Retracted = new EventRow("pos", "t1", "m-t", "order", T, "s1", "S-1", new byte[0], "delivery:d1", null);
        unwritten.add(GRAPH, List.of(), List.of(t1Retracted), new CompletableFuture<>());
        // the database, before that batch commits, holds both lines as counted and unpaired
        List<EventRow> near = unwritten.nearby(List.of(t1, d1), new DuplicateOrders.Lines(List.of("s1"),
                List.of("pos"), List.of(T), List.of("pos"), List.of("S-1")), WINDOW);
        assertThat(near).extracting(EventRow::eventId, EventRow::duplicateOf, EventRow::pairedWith).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("t1", "delivery:d1", "delivery:d1"),
                org.assertj.core.groups.Tuple.tuple("d1", null, "pos:t1"));
    }
}
