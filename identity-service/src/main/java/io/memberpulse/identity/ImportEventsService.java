package io.memberpulse.identity;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.memberpulse.identity.domain.Identifier;
import io.memberpulse.identity.domain.IdentifierNormalizer;
import io.memberpulse.identity.domain.IdentityGraph;
import io.memberpulse.identity.domain.TimeOrderedIds;
import io.memberpulse.identity.store.CountedOrderRepository;
import io.memberpulse.identity.store.EventRow;
import io.memberpulse.identity.store.GraphRepository;
import io.memberpulse.identity.store.IdentityRepository;
import io.memberpulse.identity.store.PlannerStatistics;
import io.memberpulse.identity.store.WriterLock;
import io.memberpulse.identity.stream.out.MemberEventPublisher;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Imports a batch of valid channel events: drops the ones already imported (same source + event_id),
 * stitches the rest through the in-memory identity graph (merges included), stores everything in one
 * transaction (members, links, merge evidence, the member.merges outbox, events), then publishes to
 * member.events and member.merges and records the acknowledgements. Batches are stitched one at a
 * time (on the graph's lock) so that two batches never both create a member for the same new
 * identifier, and written one at a time in that order; a batch is stitched while the one before it
 * is written, so the JVM's and PostgreSQL's halves of an import overlap instead of alternating.
 */
@ApplicationScoped
public class ImportEventsService {
    private static final Logger LOG = Logger.getLogger(ImportEventsService.class);
    private final IdentityRepository repository;
    private final CountedOrderRepository countedOrders;
    private final GraphRepository graphRepository;
    private final StitchingGraph graphs;
    private final IdentityChanges changes;
    private final MemberEventPublisher publisher;
    private final PlannerStatistics statistics;
    private final IdentifierNormalizer normalizer;
    private final Duration orderWindow;
    private final Counter duplicateOrderCounter;
    private final Counter retractedOrderCounter;
    private final Counter acceptedCounter;
    private final Counter duplicateCounter;
    private final Counter changedDuplicateCounter;
    /** Where an import's time goes, batch by batch: reading what is stored, linking, writing. */
    private final Timer readStage;
    private final Timer linkStage;
    private final Timer writeStage;
    /*
     * Stitching a batch takes CPU-seconds: on its own thread, off the PostgreSQL client's event loop,
     * which would otherwise stall every other query, resolve and health check sharing it.
     */
    private final ExecutorService importThread = Executors.newSingleThreadExecutor(named("identity-import"));
    private final ExecutorService writeThread = Executors.newSingleThreadExecutor(named("identity-write"));
    /** What a queued write that is no batch's names as the graph it was stitched on: none (generations start at 1). */
    private static final long NO_GRAPH = -1;
    private final ExecutorService changesThread = Executors.newSingleThreadExecutor(named("identity-changes"));
    /** Unglues members after a batch found a placeholder that had linked (waits for the graph's lock and writes). */
    private final ExecutorService unglueThread = Executors.newSingleThreadExecutor(named("identity-unglue"));
    private final SplitMemberService splits;
    /** Stitched batches not committed yet; touched by the import thread only, holding the graph's lock. */
    private final UnwrittenBatches unwritten = new UnwrittenBatches();

    public ImportEventsService(IdentityRepository repository, GraphRepository graphRepository, StitchingGraph graphs,
            IdentityChanges changes, MemberEventPublisher publisher, PlannerStatistics statistics, IdentityConfig config,
            MeterRegistry registry, SplitMemberService splits, CountedOrderRepository countedOrders) {
        this.repository = repository;
        this.countedOrders = countedOrders;
        this.splits = splits;
        this.graphRepository = graphRepository;
        this.graphs = graphs;
        this.changes = changes;
        this.publisher = publisher;
        this.statistics = statistics;
        this.normalizer = new IdentifierNormalizer(config.identity().defaultRegion(),
                IdentityConfig.guardrails(config)::isBlocked);
        this.orderWindow = config.identity().duplicateOrderWindow();
        this.duplicateOrderCounter = Counter.builder("memberpulse.identity.duplicate.order.lines").register(registry);
        this.retractedOrderCounter = Counter.builder("memberpulse.identity.duplicate.order.lines.retracted")
                .description("order lines published as counted, then found to repeat another report and published "
                        + "again as duplicates").register(registry);
        this.acceptedCounter = Counter.builder("memberpulse.identity.events").tag("outcome", "accepted").register(registry);
        this.duplicateCounter = Counter.builder("memberpulse.identity.events").tag("outcome", "duplicate").register(registry);
        this.changedDuplicateCounter = Counter.builder("memberpulse.identity.events.resent.changed")
                .description("events sent again under a known source + event_id with other content (the first stands)")
                .register(registry);
        this.readStage = stageTimer(registry, "read", "look-up of re-delivered events and of stored order lines nearby");
        this.linkStage = stageTimer(registry, "link", "duplicate orders found and events linked through the identity graph");
        this.writeStage = stageTimer(registry, "write", "the batch's transaction");
    }

    private static Timer stageTimer(MeterRegistry registry, String stage, String description) {
        return Timer.builder("memberpulse.identity.import.stage").tag("stage", stage)
                .description("Time per imported batch: " + description).register(registry);
    }

    /**
     * A stored batch whose events are on their way to member.events: {@code acknowledged} completes
     * when the broker acknowledged every one of them (and fails if it did not: the relay retries).
     */
    public record Imported(ImportResult result, CompletableFuture<Void> acknowledged) {
    }

    /**
     * Stitches the batch on the import thread and queues its write, without waiting for either: the
     * caller reads its next batch meanwhile, and may submit it before this one is stored (it is then
     * stitched while this one is written). Batches are stitched and written one at a time in the
     * order they were submitted, so each member's events are sent in order. The future completes
     * once the batch is committed and its publication started; it fails when the batch was not stored
     * (nothing of it is), and then so do the batches submitted after it that were already stitched.
     *
     * @param normalized the identifiers of (some of) these events as validation normalised them, by
     *                   event instance: linking uses them instead of normalising again
     */
    public CompletableFuture<Imported> submit(List<ChannelEvent> events, Map<ChannelEvent, List<Identifier>> normalized) {
        return CompletableFuture.supplyAsync(() -> stitchAndQueue(events, normalized), importThread)
                .thenCompose(written -> written);
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
        writeThread.shutdown();
        changesThread.shutdown();
        unglueThread.shutdown();
    }

    private static ThreadFactory named(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * A batch stitched into the graph, ready to be written as it is (nothing in it reads the graph again).
     *
     * @param retracted stored lines counted before and found now to repeat another (flagged: duplicateOf set)
     * @param toPublish its events for member.events, built once their counted orders are read and their
     *                  publication_version taken, in the write's transaction (a copy per event saved)
     * @param changed the duplicates whose content differs from the event first imported under their key
     * @param unglue  whether the batch quarantined a value that had linked before: a member it glued is split after
     *                the commit
     */
    private record Stitched(List<EventRow> rows, List<EventRow> retracted, BatchWrite write,
            List<MemberEvent.Builder> toPublish, int duplicates, List<String> changed, Instant acceptedAt, boolean unglue) {
    }

    /** Stitches the batch (blocking) and queues its write. */
    private CompletableFuture<Imported> stitchAndQueue(List<ChannelEvent> events,
            Map<ChannelEvent, List<Identifier>> normalized) {
        synchronized (graphs) {
            IdentityGraph graph = graphs.graph();
            long generation = graphs.generation();
            WriterLock.Tenure tenure = graphs.tenure();
            Stitched stitched;
            try {
                stitched = stitch(graph, generation, events, normalized);
            } catch (RuntimeException e) {
                graphs.invalidate(); // the graph may hold part of the batch; rebuilt once the queued writes ended
                throw e;
            }
            CompletableFuture<Imported> written = graphs.queueWrite(generation, () -> store(stitched, tenure), writeThread);
            unwritten.add(generation, stitched.rows(), stitched.retracted(), written);
            return written;
        }
    }

    private Stitched stitch(IdentityGraph graph, long generation, List<ChannelEvent> events, Map<ChannelEvent, List<Identifier>> normalized) {
        Map<String, ChannelEvent> unique = new LinkedHashMap<>();
        for (ChannelEvent event : events) {
            unique.putIfAbsent(IdentityRepository.eventKey(EventCodes.sourceCode(event), event.getEventId()), event);
        }
        int duplicatesInBatch = events.size() - unique.size();
        List<ChannelEvent> candidates = new ArrayList<>(unique.values());
        Instant now = Instant.now();
        // read what the database holds only after this: a batch committing meanwhile is then seen in one or the other
        unwritten.prune(generation);
        Timer.Sample reading = Timer.start();
        Map<String, byte[]> known = unwritten.events();
        List<ChannelEvent> unknown = candidates.stream()
                .filter(e -> !known.containsKey(IdentityRepository.eventKey(EventCodes.sourceCode(e), e.getEventId())))
                .toList();
        // The two reads run at once, on two connections: the lines near re-delivered events (dropped
        // below) are looked up too, which costs a few rows and saves a round trip per batch.
        DuplicateOrders.Lines unknownLines = DuplicateOrders.Lines.of(unknown);
        var reads = Uni.combine().all().unis(
                repository.pool().withConnection(connection -> repository.existingEvents(connection,
                        unknown.stream().map(EventCodes::sourceCode).toList(),
                        unknown.stream().map(ChannelEvent::getEventId).toList())),
                repository.pool().withConnection(connection -> repository.orderLinesNear(connection,
                        unknownLines.stores(), unknownLines.sources(), unknownLines.times(), orderWindow,
                        unknownLines.orderSources(), unknownLines.orderIds())))
                .asTuple().await().indefinitely();
        Map<String, byte[]> existing = reads.getItem1();
        List<ChannelEvent> fresh = existing.isEmpty() ? unknown : unknown.stream()
                .filter(e -> !existing.containsKey(IdentityRepository.eventKey(EventCodes.sourceCode(e), e.getEventId())))
                .toList();
        List<String> changed = events.size() == fresh.size() ? List.of() : resentWithOtherContent(events, unique, known,
                existing);
        DuplicateOrders.Lines lines = fresh == unknown ? unknownLines : DuplicateOrders.Lines.of(fresh);
        List<EventRow> nearby = unwritten.nearby(reads.getItem2(), lines, orderWindow);
        reading.stop(readStage);
        Timer.Sample linking = Timer.start();
        BatchLinker.Linked linked = BatchLinker.link(graph, event -> {
            List<Identifier> identifiers = normalized.get(event);
            return identifiers != null ? identifiers : EventEvidenceMapper.identifiers(normalizer, event);
        }, fresh, nearby, orderWindow, TimeOrderedIds::next);
        String[] duplicateOf = linked.duplicateOf();
        String[] memberOf = new String[fresh.size()];
        linked.outcome().assignments().forEach(a -> memberOf[a.index()] = a.memberId());
        List<MemberEvent.Builder> toPublish = new ArrayList<>();
        List<EventRow> rows = new ArrayList<>(fresh.size());
        for (int i = 0; i < fresh.size(); i++) {
            ChannelEvent event = fresh.get(i);
            // a stock-out belongs to no member: published with an empty member id (keyed by store) so
            // churn-service can measure members' stock-out exposure
            if (memberOf[i] != null || event.getType() == EventType.EVENT_TYPE_STOCKOUT) {
                toPublish.add(MemberEvent.newBuilder()
                        .setMemberId(memberOf[i] == null ? "" : memberOf[i]).setEvent(event)
                        .setAcceptedAt(EventCodes.timestamp(now)).setDuplicateOrder(duplicateOf[i] != null)
                        .setNeverCounted(duplicateOf[i] != null));
            }
            rows.add(new EventRow(EventCodes.sourceCode(event), event.getEventId(), memberOf[i],
                    EventCodes.typeCode(event), EventCodes.instant(event.getOccurredAt()), event.getStoreId(),
                    event.getLine().getOrderId(), event.toByteArray(), duplicateOf[i],
                    event.getIdentifiers().getDeviceId()));
        }
        for (EventRow line : linked.retracted()) {
            toPublish.add(retraction(graph, line, now));
        }
        BatchWrite write = BatchWrite.of(graph, linked, now);
        boolean unglue = linked.outcome().quarantined().stream().anyMatch(value -> graph.ownerOf(value).isPresent());
        linking.stop(linkStage);
        return new Stitched(rows, linked.retracted(), write, toPublish, duplicatesInBatch + candidates.size() - fresh.size(),
                changed, now, unglue);
    }

    /**
     * A line published as counted, published again flagged as a duplicate: consumers un-count it by its source and
     * event id. Under the member holding it now (the graph's survivor of any merge since).
     */
    private static MemberEvent.Builder retraction(IdentityGraph graph, EventRow line, Instant now) {
        try {
            return MemberEvent.newBuilder().setMemberId(line.memberId() == null ? "" : graph.root(line.memberId()))
                    .setEvent(ChannelEvent.parseFrom(line.payload())).setAcceptedAt(EventCodes.timestamp(now))
                    .setDuplicateOrder(true);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("stored event " + line.reference() + " is unreadable", e);
        }
    }

    /**
     * The duplicates of the batch ("source:event_id") whose content differs from the event first imported under their
     * key: stored (existing: digests), queued to be (unwritten: content) or earlier in this batch. They are still
     * duplicates, and the first content stands (EVENT-CSV), but the caller is told: a corrected amount sent again
     * under the same event_id is not taken.
     */
    private static List<String> resentWithOtherContent(List<ChannelEvent> events, Map<String, ChannelEvent> firstInBatch,
            Map<String, byte[]> unwritten, Map<String, byte[]> existing) {
        List<String> changed = new ArrayList<>();
        Map<String, byte[]> firstContent = new HashMap<>();
        for (ChannelEvent event : events) {
            String key = IdentityRepository.eventKey(EventCodes.sourceCode(event), event.getEventId());
            byte[] stored = existing.get(key);
            byte[] queued = unwritten.get(key);
            if (stored == null && queued == null && firstInBatch.get(key) == event) {
                continue; // imported now: the first content itself
            }
            byte[] first = firstContent.computeIfAbsent(key, k -> stored != null ? stored
                    : sha256(queued != null ? queued : firstInBatch.get(k).toByteArray()));
            if (shapesOf(event).stream().noneMatch(shape -> Arrays.equals(first, sha256(shape.toByteArray())))) {
                changed.add(EventEvidenceMapper.key(event));
            }
        }
        return changed;
    }

    /**
     * The event in each shape the same content may have been stored in: as it came, as a file row is read (every part
     * present, EventFormat) and as a typed client usually sends it (empty parts left out). The same sale from the
     * nightly CSV and over gRPC is then the same content, not a "changed" resend.
     */
    static List<ChannelEvent> shapesOf(ChannelEvent event) {
        ChannelEvent.Builder everyPart = event.toBuilder();
        ChannelEvent.Builder emptyPartsLeftOut = event.toBuilder();
        for (FieldDescriptor part : ChannelEvent.getDescriptor().getFields()) {
            if (part.getJavaType() != FieldDescriptor.JavaType.MESSAGE || part.isRepeated()) {
                continue;
            }
            Message value = (Message) event.getField(part);
            if (value.equals(value.getDefaultInstanceForType())) {
                everyPart.setField(part, value.getDefaultInstanceForType());
                emptyPartsLeftOut.clearField(part);
            }
        }
        return List.of(event, everyPart.build(), emptyPartsLeftOut.build());
    }

    private static byte[] sha256(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /**
     * Writes a stitched batch in one transaction (blocking, on the write thread) and starts its publication. Only
     * while the writer lock is held in the tenure the batch was stitched in: else nothing of it is written (a
     * {@link NotWriterException}), and the writes stitched after it are refused (see {@link WriteQueue}).
     */
    private Imported store(Stitched stitched, WriterLock.Tenure tenure) {
        Timer.Sample writing = Timer.start();
        CountedOrders.Lookup lookup = CountedOrders.lookup(stitched.toPublish(), stitched.rows(), stitched.retracted());
        Listed listed = graphs.inTransaction(tenure, connection -> write(connection, stitched.write(), stitched.rows(),
                        stitched.retracted(), stitched.acceptedAt())
                // after the batch's events and flags are written: an order's lines stored in this batch count
                .flatMap(v -> countedOrders.redirected(connection, lookup.sources(), lookup.eventIds(),
                        lookup.orderSources(), lookup.orderIds()))
                .map(found -> CountedOrders.apply(stitched.toPublish(), found, stitched.acceptedAt()))
                // stamped now, the transaction's last statement, not when stitched: the relay counts its grace from
                // here, and the write may have waited behind others' (UnpublishedEventRelay.grace)
                .flatMap(events -> repository.awaitAcknowledgement(connection,
                        events.stream().map(e -> EventCodes.sourceCode(e.getEvent())).toList(),
                        events.stream().map(e -> e.getEvent().getEventId()).toList(), Instant.now())
                        // null: no event to publish
                        .map(listing -> listing == null ? new Listed(null, List.of()) : new Listed(listing.batchId(),
                                built(events, listing.publicationVersion())))));
        writing.stop(writeStage);
        List<MemberEvent> toPublish = listed.events();
        Long batchId = listed.batchId();
        CompletableFuture<Void> acknowledged = publish(toPublish, batchId);
        if (!stitched.write().merges().isEmpty()) { // after the batch's events: the changes queued by this batch's merges
            acknowledged = acknowledged.thenRunAsync(changes::publishPending, changesThread);
        }
        if (stitched.unglue()) { // the import answers once the glued members are split (MemberSplit published)
            acknowledged = acknowledged.thenRunAsync(this::unglue, unglueThread);
        }
        int stored = stitched.rows().size();
        statistics.written(stored);
        acceptedCounter.increment(stored);
        duplicateCounter.increment(stitched.duplicates());
        changedDuplicateCounter.increment(stitched.changed().size());
        duplicateOrderCounter.increment(stitched.rows().stream().filter(row -> row.duplicateOf() != null).count());
        retractedOrderCounter.increment(stitched.retracted().size());
        return new Imported(new ImportResult(stored, stitched.duplicates(), stitched.changed()), acknowledged);
    }

    /** The events built, each with MemberEvent.publication_version set to the version. */
    static List<MemberEvent> built(List<MemberEvent.Builder> events, long version) {
        List<MemberEvent> built = new ArrayList<>(events.size());
        for (MemberEvent.Builder event : events) {
            built.add(event.setPublicationVersion(version).build());
        }
        return built;
    }

    /** A written batch's events as published (counted orders set), and its unpublished_batch id (null: none). */
    private record Listed(Long batchId, List<MemberEvent> events) {
    }

    /** Never fails the batch, stored and published by now: a value left to unglue is taken up again (PlaceholderUnglueJob). */
    private void unglue() {
        try {
            splits.unglueQuarantined();
        } catch (RuntimeException e) {
            LOG.warnf("members glued by a placeholder left for the next attempt: %s", e.toString());
        }
    }

    private Uni<Void> write(SqlConnection connection, BatchWrite write, List<EventRow> rows, List<EventRow> retracted,
            Instant now) {
        return repository.insertMembers(connection, write.newMembers(), now)
                .flatMap(v -> repository.quarantine(connection, write.quarantined(), now))
                .flatMap(v -> repository.recordStores(connection, write.storesSeen()))
                .flatMap(v -> repository.upsertIdentifiers(connection, write.newLinks(), write.linkFirst(), write.linkLast()))
                .flatMap(v -> repository.touchIdentifiers(connection, write.touchedFirst(), write.lastSeen()))
                .flatMap(v -> graphRepository.recordMerges(connection, write.merges(), write.evidenceIds(),
                        write.finalRoot(), write.changes(), now))
                // after the merges: a period is widened where the member's cluster already has one
                .flatMap(v -> repository.recordPastHoldings(connection, write.pastHeld()))
                .flatMap(v -> repository.insertEvents(connection, rows, now))
                .flatMap(v -> repository.flagRepeated(connection, retracted));
    }

    /**
     * Publishes a batch the relay builds ({@code build}: read from the store) and, once the broker acknowledged all of
     * it, strikes it off the unpublished batches; a failure leaves it there for the relay to publish again. Blocking.
     * Built and handed to the producer on the write thread, behind the batch writes queued so far: no import commits
     * between what the relay reads (an event's counted order) and its send, and an import's later publication of the
     * same event (counted order changed) is handed over after it, so consumers, who keep the last, keep the newer.
     */
    void publishInWriteOrder(Supplier<List<MemberEvent>> build, long batchId) {
        CompletableFuture<CompletableFuture<Void>> handedOver;
        synchronized (graphs) { // queued in the order of the writes
            handedOver = graphs.queueWrite(NO_GRAPH, () -> {
                try {
                    return publish(build.get(), batchId);
                } catch (RuntimeException e) { // not the queue's failure: the batches stitched after it are written
                    return CompletableFuture.<Void>failedFuture(e);
                }
            }, writeThread);
        }
        awaitAll(List.of(handedOver.thenCompose(acknowledged -> acknowledged)));
    }

    private CompletableFuture<Void> publish(List<MemberEvent> events, Long batchId) {
        Uni<Void> sent = publisher.publish(events);
        if (batchId != null) {
            sent = sent.call(() -> repository.acknowledged(batchId));
        }
        return sent.subscribeAsCompletionStage();
    }
}
