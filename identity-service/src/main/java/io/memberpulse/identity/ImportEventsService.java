package io.memberpulse.identity;

import com.google.protobuf.Timestamp;
import io.memberpulse.identity.domain.BatchStitcher;
import io.memberpulse.identity.domain.Identifier;
import io.memberpulse.identity.domain.IdentifierNormalizer;
import io.memberpulse.identity.domain.RawIdentifiers;
import io.memberpulse.identity.domain.StitchGuardrails;
import io.memberpulse.identity.store.EventRow;
import io.memberpulse.identity.store.IdentityRepository;
import io.memberpulse.identity.stream.out.MemberEventPublisher;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Imports a batch of valid channel events: drops the ones already imported (same source + event_id),
 * stitches the rest to members, stores everything in one transaction, then publishes to
 * member.events and records the acknowledgement. Imports run one at a time so that two batches
 * never both create a member for the same new identifier.
 */
@ApplicationScoped
public class ImportEventsService {
    private final IdentityRepository repository;
    private final MemberEventPublisher publisher;
    private final IdentifierNormalizer normalizer;
    private final StitchGuardrails guardrails;
    private final Duration orderWindow;
    private final Counter duplicateOrderCounter;
    private final Counter acceptedCounter;
    private final Counter duplicateCounter;

    public ImportEventsService(IdentityRepository repository, MemberEventPublisher publisher, IdentityConfig config,
            MeterRegistry registry) {
        this.repository = repository;
        this.publisher = publisher;
        this.guardrails = IdentityConfig.guardrails(config);
        this.normalizer = new IdentifierNormalizer(config.identity().defaultRegion(), guardrails::isBlocked);
        this.orderWindow = config.identity().duplicateOrderWindow();
        this.duplicateOrderCounter = Counter.builder("memberpulse.identity.duplicate.order.lines").register(registry);
        this.acceptedCounter = Counter.builder("memberpulse.identity.events").tag("outcome", "accepted").register(registry);
        this.duplicateCounter = Counter.builder("memberpulse.identity.events").tag("outcome", "duplicate").register(registry);
    }

    /** Blocking: call from a worker thread. */
    public synchronized ImportResult importEvents(List<ChannelEvent> events) {
        Map<String, ChannelEvent> unique = new LinkedHashMap<>();
        for (ChannelEvent event : events) {
            unique.putIfAbsent(IdentityRepository.eventKey(sourceCode(event), event.getEventId()), event);
        }
        int duplicatesInBatch = events.size() - unique.size();
        List<ChannelEvent> candidates = new ArrayList<>(unique.values());
        Instant now = Instant.now();
        List<MemberEvent> toPublish = new ArrayList<>();

        int stored = repository.pool().withTransaction(connection -> repository
                .existingEventKeys(connection, candidates.stream().map(ImportEventsService::sourceCode).toList(),
                        candidates.stream().map(ChannelEvent::getEventId).toList())
                .flatMap(existing -> {
                    List<ChannelEvent> fresh = candidates.stream()
                            .filter(e -> !existing.contains(IdentityRepository.eventKey(sourceCode(e), e.getEventId())))
                            .toList();
                    List<List<Identifier>> identifiers = fresh.stream().map(this::identifiersOf).toList();
                    Set<Identifier> all = new HashSet<>();
                    identifiers.forEach(all::addAll);
                    Duration window = orderWindow;
                    return repository.orderLinesNear(connection, DuplicateOrders.stores(fresh),
                            DuplicateOrders.earliest(fresh).minus(window), DuplicateOrders.latest(fresh).plus(window))
                            .flatMap(nearby -> repository.known(connection, all).flatMap(known -> {
                        String[] duplicateOf = DuplicateOrders.duplicateOf(fresh, nearby, window);
                        Map<Identifier, String> owners = known.owners();
                        List<BatchStitcher.EventIdentifiers> inputs = new ArrayList<>();
                        for (int i = 0; i < fresh.size(); i++) {
                            ChannelEvent event = fresh.get(i);
                            if (event.getType() != EventType.EVENT_TYPE_STOCKOUT) {
                                inputs.add(new BatchStitcher.EventIdentifiers(i, identifiers.get(i),
                                        instant(event.getOccurredAt()), event.getStoreId()));
                            }
                        }
                        // stitched in the order things happened, whatever the order of the batch
                        inputs.sort(Comparator.comparing(BatchStitcher.EventIdentifiers::occurredAt));
                        BatchStitcher.Result stitched = BatchStitcher.stitch(inputs, known,
                                () -> UUID.randomUUID().toString(), guardrails);
                        String[] memberOf = new String[fresh.size()];
                        stitched.assignments().forEach(a -> memberOf[a.index()] = a.memberId());

                        Map<Identifier, Set<String>> storesSeen = new HashMap<>();
                        for (int i = 0; i < fresh.size(); i++) {
                            if (!fresh.get(i).getStoreId().isBlank()) {
                                for (Identifier identifier : identifiers.get(i)) {
                                    if (identifier.type().isStrong()) {
                                        storesSeen.computeIfAbsent(identifier, k -> new HashSet<>())
                                                .add(fresh.get(i).getStoreId());
                                    }
                                }
                            }
                        }
                        Map<Identifier, Instant> firstSeen = new HashMap<>();
                        Map<Identifier, Instant> lastSeen = new HashMap<>();
                        List<EventRow> rows = new ArrayList<>(fresh.size());
                        for (int i = 0; i < fresh.size(); i++) {
                            ChannelEvent event = fresh.get(i);
                            Instant occurredAt = instant(event.getOccurredAt());
                            if (memberOf[i] != null) {
                                for (Identifier identifier : identifiers.get(i)) {
                                    if (identifier.type().isStrong() && memberOf[i].equals(
                                            stitched.newLinks().getOrDefault(identifier, owners.get(identifier)))) {
                                        firstSeen.merge(identifier, occurredAt, (a, b) -> a.isBefore(b) ? a : b);
                                        lastSeen.merge(identifier, occurredAt, (a, b) -> a.isAfter(b) ? a : b);
                                    }
                                }
                                toPublish.add(MemberEvent.newBuilder().setMemberId(memberOf[i]).setEvent(event)
                                        .setAcceptedAt(timestamp(now)).setDuplicateOrder(duplicateOf[i] != null).build());
                            }
                            if (duplicateOf[i] != null) {
                                duplicateOrderCounter.increment();
                            }
                            rows.add(new EventRow(sourceCode(event), event.getEventId(), memberOf[i], typeCode(event),
                                    occurredAt, event.getStoreId(), event.getLine().getOrderId(), event.toByteArray(),
                                    duplicateOf[i], event.getIdentifiers().getDeviceId()));
                        }
                        Map<Identifier, Instant> touchedFirst = new HashMap<>(firstSeen);
                        touchedFirst.keySet().removeAll(stitched.newLinks().keySet());
                        return repository.insertMembers(connection, stitched.newMembers(), now)
                                .flatMap(v -> repository.quarantine(connection, stitched.quarantined(), now))
                                .flatMap(v -> repository.recordStores(connection, storesSeen))
                                .flatMap(v -> repository.upsertIdentifiers(connection, stitched.newLinks(), firstSeen, lastSeen))
                                .flatMap(v -> repository.touchIdentifiers(connection, touchedFirst, lastSeen))
                                .flatMap(v -> repository.insertEvents(connection, rows, now))
                                .replaceWith(fresh.size());
                    }));
                }))
                .await().indefinitely();

        publishAndRecord(toPublish);
        acceptedCounter.increment(stored);
        duplicateCounter.increment(events.size() - stored);
        return new ImportResult(stored, duplicatesInBatch + candidates.size() - stored);
    }

    /** Publishes and marks the events published; a failure leaves them for the relay to retry. */
    void publishAndRecord(List<MemberEvent> events) {
        publisher.publish(events).await().indefinitely();
        repository.markPublished(
                events.stream().map(e -> sourceCode(e.getEvent())).toList(),
                events.stream().map(e -> e.getEvent().getEventId()).toList(),
                Instant.now()).await().indefinitely();
    }

    private List<Identifier> identifiersOf(ChannelEvent event) {
        var ids = event.getIdentifiers();
        return normalizer.normalize(new RawIdentifiers(ids.getPhone(), ids.getUnionId(), ids.getOpenid(),
                ids.getMemberNo(), ids.getDeviceId(), ids.getPlatformUid(), ids.getEmail()));
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
