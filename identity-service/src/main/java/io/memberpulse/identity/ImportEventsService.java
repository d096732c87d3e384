package io.memberpulse.identity;

import com.google.protobuf.Timestamp;
import io.memberpulse.identity.domain.EventEvidence;
import io.memberpulse.identity.domain.Identifier;
import io.memberpulse.identity.domain.IdentifierNormalizer;
import io.memberpulse.identity.domain.IdentityGraph;
import io.memberpulse.identity.domain.MergeRecord;
import io.memberpulse.identity.domain.TimeOrderedIds;
import io.memberpulse.identity.store.EventRow;
import io.memberpulse.identity.store.GraphRepository;
import io.memberpulse.identity.store.IdentityRepository;
import io.memberpulse.identity.stream.out.MemberEventPublisher;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;

/**
 * Imports a batch of valid channel events: drops the ones already imported (same source + event_id),
 * stitches the rest through the in-memory identity graph (merges included), stores everything in one
 * transaction (members, links, merge evidence, the member.merges outbox, events), then publishes to
 * member.events and member.merges and records the acknowledgements. Imports run one at a time (on
 * the graph's lock) so that two batches never both create a member for the same new identifier.
 */
@ApplicationScoped
public class ImportEventsService {
    private final IdentityRepository repository;
    private final GraphRepository graphRepository;
    private final StitchingGraph graphs;
    private final IdentityChanges changes;
    private final MemberEventPublisher publisher;
    private final IdentifierNormalizer normalizer;
    private final Duration orderWindow;
    private final Counter duplicateOrderCounter;
    private final Counter acceptedCounter;
    private final Counter duplicateCounter;
    private final ExecutorService importThread = Executors.newSingleThreadExecutor(named("identity-import"));
    private final ExecutorService changesThread = Executors.newSingleThreadExecutor(named("identity-changes"));
    /*
     * Stitching a batch takes CPU-seconds: off the PostgreSQL client's event loop, which would otherwise
     * stall every other query, resolve and health check sharing it (Vert.x "thread blocked").
     */
    private final ExecutorService stitchThread = Executors.newSingleThreadExecutor(named("identity-stitch"));

    public ImportEventsService(IdentityRepository repository, GraphRepository graphRepository, StitchingGraph graphs,
            IdentityChanges changes, MemberEventPublisher publisher, IdentityConfig config, MeterRegistry registry) {
        this.repository = repository;
        this.graphRepository = graphRepository;
        this.graphs = graphs;
        this.changes = changes;
        this.publisher = publisher;
        this.normalizer = new IdentifierNormalizer(config.identity().defaultRegion(),
                IdentityConfig.guardrails(config)::isBlocked);
        this.orderWindow = config.identity().duplicateOrderWindow();
        this.duplicateOrderCounter = Counter.builder("memberpulse.identity.duplicate.order.lines").register(registry);
        this.acceptedCounter = Counter.builder("memberpulse.identity.events").tag("outcome", "accepted").register(registry);
        this.duplicateCounter = Counter.builder("memberpulse.identity.events").tag("outcome", "duplicate").register(registry);
    }

    /**
     * A stored batch whose events are on their way to member.events: {@code acknowledged} completes
     * when the broker acknowledged every one of them (and fails if it did not: the relay retries).
     */
    public record Imported(ImportResult result, CompletableFuture<Void> acknowledged) {
    }

    /**
     * Stores the batch and starts publishing it, without waiting for the broker, on the import
     * thread: the caller reads its next batch meanwhile. Imports run one at a time in the order
     * they were submitted, so each member's events are sent in order.
     *
     * @param normalized the identifiers of (some of) these events as validation normalised them, by
     *                   event instance: linking uses them instead of normalising again
     */
    public CompletableFuture<Imported> submit(List<ChannelEvent> events, Map<ChannelEvent, List<Identifier>> normalized) {
        return CompletableFuture.supplyAsync(() -> importStored(events, normalized), importThread);
    }

    /** Waits for every future, then rethrows the first failure as it was thrown. */
    public static void awaitAll(List<? extends CompletableFuture<?>> futures) {
        RuntimeException first = null;
        for (CompletableFuture<?> future : futures) {
            try {
                future.join();
            } catch (CompletionException | CancellationException e) {
                if (first == null) {
                    first = e.getCause() instanceof RuntimeException cause ? cause : e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @PreDestroy
    void stop() {
        importThread.shutdown();
        changesThread.shutdown();
        stitchThread.shutdown();
    }

    private static ThreadFactory named(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Stores the batch (blocking) and starts its publication. */
    Imported importStored(List<ChannelEvent> events, Map<ChannelEvent, List<Identifier>> normalized) {
        synchronized (graphs) {
            try {
                return importLocked(events, normalized);
            } catch (RuntimeException e) {
                graphs.invalidate(); // memory may be ahead of the rolled-back database
                throw e;
            }
        }
    }

    private Imported importLocked(List<ChannelEvent> events, Map<ChannelEvent, List<Identifier>> normalized) {
        Map<String, ChannelEvent> unique = new LinkedHashMap<>();
        for (ChannelEvent event : events) {
            unique.putIfAbsent(IdentityRepository.eventKey(sourceCode(event), event.getEventId()), event);
        }
        int duplicatesInBatch = events.size() - unique.size();
        List<ChannelEvent> candidates = new ArrayList<>(unique.values());
        Instant now = Instant.now();
        List<MemberEvent> toPublish = new ArrayList<>();
        IdentityGraph graph = graphs.graph();
        boolean[] merged = new boolean[1];
        Long[] batchId = new Long[1];

        int stored = repository.pool().withTransaction(connection -> repository
                .existingEventKeys(connection, candidates.stream().map(ImportEventsService::sourceCode).toList(),
                        candidates.stream().map(ChannelEvent::getEventId).toList())
                .flatMap(existing -> {
                    List<ChannelEvent> fresh = candidates.stream()
                            .filter(e -> !existing.contains(IdentityRepository.eventKey(sourceCode(e), e.getEventId())))
                            .toList();
                    Duration window = orderWindow;
                    DuplicateOrders.Lines lines = DuplicateOrders.Lines.of(fresh);
                    return repository.orderLinesNear(connection, lines.stores(), lines.sources(), lines.times(), window)
                            .emitOn(stitchThread)
                            .map(nearby -> BatchLinker.link(graph, event -> {
                                    List<Identifier> known = normalized.get(event);
                                    return known != null ? known : EventEvidenceMapper.identifiers(normalizer, event);
                                }, fresh, nearby, window, TimeOrderedIds::next))
                            .flatMap(linked -> {
                                String[] duplicateOf = linked.duplicateOf();
                                IdentityGraph.BatchOutcome outcome = linked.outcome();
                                merged[0] = !outcome.merges().isEmpty();
                                String[] memberOf = new String[fresh.size()];
                                outcome.assignments().forEach(a -> memberOf[a.index()] = a.memberId());
                                List<EventRow> rows = new ArrayList<>(fresh.size());
                                for (int i = 0; i < fresh.size(); i++) {
                                    ChannelEvent event = fresh.get(i);
                                    // a stock-out belongs to no member: published with an empty member id (keyed by
                                    // store) so churn-service can measure members' stock-out exposure
                                    if (memberOf[i] != null || event.getType() == EventType.EVENT_TYPE_STOCKOUT) {
                                        toPublish.add(MemberEvent.newBuilder()
                                                .setMemberId(memberOf[i] == null ? "" : memberOf[i]).setEvent(event)
                                                .setAcceptedAt(timestamp(now)).setDuplicateOrder(duplicateOf[i] != null).build());
                                    }
                                    if (duplicateOf[i] != null) {
                                        duplicateOrderCounter.increment();
                                    }
                                    rows.add(new EventRow(sourceCode(event), event.getEventId(), memberOf[i], typeCode(event),
                                            instant(event.getOccurredAt()), event.getStoreId(), event.getLine().getOrderId(),
                                            event.toByteArray(), duplicateOf[i], event.getIdentifiers().getDeviceId()));
                                }
                                return write(connection, graph, linked, rows, now)
                                        .flatMap(v -> repository.awaitAcknowledgement(connection,
                                                toPublish.stream().map(e -> sourceCode(e.getEvent())).toList(),
                                                toPublish.stream().map(e -> e.getEvent().getEventId()).toList(), now))
                                        .invoke(id -> batchId[0] = id)
                                        .replaceWith(fresh.size());
                            });
                }))
                .await().indefinitely();
        CompletableFuture<Void> acknowledged = publish(toPublish, batchId[0]);
        if (merged[0]) { // after the batch's events: the changes queued by this batch's merges
            acknowledged = acknowledged.thenRunAsync(changes::publishPending, changesThread);
        }
        acceptedCounter.increment(stored);
        duplicateCounter.increment(events.size() - stored);
        return new Imported(new ImportResult(stored, duplicatesInBatch + candidates.size() - stored), acknowledged);
    }

    private Uni<Void> write(SqlConnection connection, IdentityGraph graph, BatchLinker.Linked linked,
            List<EventRow> rows, Instant now) {
        IdentityGraph.BatchOutcome outcome = linked.outcome();
        Map<Identifier, Set<String>> storesSeen = new HashMap<>();
        for (EventEvidence event : linked.evidence()) {
            if (event.storeId() != null) {
                for (Identifier identifier : event.identifiers()) {
                    if (identifier.type().isStrong()) {
                        storesSeen.computeIfAbsent(identifier, k -> new HashSet<>()).add(event.storeId());
                    }
                }
            }
        }
        Map<Identifier, Instant> firstSeen = new HashMap<>();
        Map<Identifier, Instant> lastSeen = new HashMap<>();
        outcome.seen().forEach((identifier, window) -> {
            firstSeen.put(identifier, window[0]);
            lastSeen.put(identifier, window[1]);
        });
        Map<Identifier, Instant> touchedFirst = new HashMap<>(firstSeen);
        touchedFirst.keySet().removeAll(outcome.newLinks().keySet());
        Map<Identifier, Instant> linkFirst = new HashMap<>();
        Map<Identifier, Instant> linkLast = new HashMap<>();
        outcome.newLinks().keySet().forEach(identifier -> {
            Instant first = firstSeen.getOrDefault(identifier, now);
            linkFirst.put(identifier, first);
            linkLast.put(identifier, lastSeen.getOrDefault(identifier, first));
        });
        List<MergeRecord> merges = outcome.merges();
        List<String> evidenceIds = new ArrayList<>(merges.size());
        List<byte[]> payloads = new ArrayList<>(merges.size());
        Map<String, String> finalRoot = new HashMap<>();
        for (MergeRecord merge : merges) {
            String id = TimeOrderedIds.next();
            evidenceIds.add(id);
            finalRoot.put(merge.absorbedMemberId(), graph.root(merge.absorbedMemberId()));
            payloads.add(IdentityChanges.merged(merge, id, now).toByteArray());
        }
        return repository.insertMembers(connection, outcome.newMembers(), now)
                .flatMap(v -> repository.quarantine(connection, outcome.quarantined(), now))
                .flatMap(v -> repository.recordStores(connection, storesSeen))
                .flatMap(v -> repository.upsertIdentifiers(connection, outcome.newLinks(), linkFirst, linkLast))
                .flatMap(v -> repository.touchIdentifiers(connection, touchedFirst, lastSeen))
                .flatMap(v -> graphRepository.recordMerges(connection, merges, evidenceIds, finalRoot, payloads, now))
                .flatMap(v -> repository.insertEvents(connection, rows, now));
    }

    /**
     * Publishes a batch and, once the broker acknowledged all of it, strikes it off the unpublished
     * batches; a failure leaves it there for the relay to publish again. Blocking.
     */
    void publishAndRecord(List<MemberEvent> events, Long batchId) {
        awaitAll(List.of(publish(events, batchId)));
    }

    private CompletableFuture<Void> publish(List<MemberEvent> events, Long batchId) {
        Uni<Void> sent = publisher.publish(events);
        if (batchId != null) {
            sent = sent.call(() -> repository.acknowledged(batchId));
        }
        return sent.subscribeAsCompletionStage();
    }

    static String sourceCode(ChannelEvent event) {
        return event.getSource().name().substring("SOURCE_".length()).toLowerCase(Locale.ROOT);
    }

    static String typeCode(ChannelEvent event) {
        return event.getType().name().substring("EVENT_TYPE_".length()).toLowerCase(Locale.ROOT);
    }

    static Instant instant(Timestamp timestamp) {
        return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
    }

    static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }
}
