package io.memberpulse.identity;

import io.memberpulse.identity.store.CountedOrderRepository;
import io.memberpulse.identity.store.EventRow;
import io.memberpulse.identity.store.IdentityRepository;
import io.memberpulse.identity.store.WriterLock;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The outbox relay: events stored but never acknowledged by Kafka (a broker outage during an
 * import) are published again, and so are queued member.merges changes. Consumers are idempotent on source + event_id, so a repeat is harmless.
 * A batch is only taken once its first publication can no longer be in flight ({@link #grace}).
 * <p>
 * Only the writer relays ({@link SingleWriter}), in one tenure per run, stopping when it ends. A standby's
 * publication_version could be taken after a writer's import took one and go with counted orders read before that
 * import commits: consumers, who keep the greatest version, would keep the stale copy. And the changes go out in
 * order only while one instance publishes them ({@link IdentityChanges#publishPending}).
 */
@ApplicationScoped
public class UnpublishedEventRelay {
    private static final Logger LOG = Logger.getLogger(UnpublishedEventRelay.class);
    /** Between the batch's row being stamped and its first send starting: the commit, a moment. */
    static final Duration COMMIT_MARGIN = Duration.ofSeconds(30);

    private final IdentityRepository repository;
    private final CountedOrderRepository countedOrders;
    private final ImportEventsService importService;
    private final IdentityChanges changes;
    private final SingleWriter writer;
    private final Duration grace;

    public UnpublishedEventRelay(IdentityRepository repository, ImportEventsService importService,
            IdentityChanges changes, CountedOrderRepository countedOrders, SingleWriter writer,
            @ConfigProperty(name = "mp.messaging.outgoing.member-events.max.block.ms") long maxBlockMs,
            @ConfigProperty(name = "mp.messaging.outgoing.member-events.delivery.timeout.ms") long deliveryTimeoutMs) {
        this.repository = repository;
        this.countedOrders = countedOrders;
        this.importService = importService;
        this.changes = changes;
        this.writer = writer;
        this.grace = grace(Duration.ofMillis(maxBlockMs), Duration.ofMillis(deliveryTimeoutMs));
    }

    /**
     * How long after its row was stamped (just before the commit) a batch's first publication may still be in flight:
     * its records are handed to the producer within twice max.block.ms ({@code MemberEventPublisher.publish} stops
     * handing them over after max.block.ms, and the last send may block that long again), and each is acknowledged
     * or failed within delivery.timeout.ms after that. Relayed sooner (30 s before), a batch Kafka was slow to
     * acknowledge went out twice, and its older events could land after newer ones of the same member.
     */
    static Duration grace(Duration maxBlock, Duration deliveryTimeout) {
        return maxBlock.multipliedBy(2).plus(deliveryTimeout).plus(COMMIT_MARGIN);
    }

    @Scheduled(every = "15s", delayed = "15s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void relay() {
        WriterLock.Tenure tenure = writer.tenure().orElse(null);
        if (tenure == null) {
            return; // a standby: the writer relays
        }
        try {
            int republished = changes.publishPending();
            if (republished > 0) {
                LOG.infof("published %d member.merges changes left queued", republished);
            }
            for (int batches = 0; batches < 20 && writer.holds(tenure); batches++) {
                IdentityRepository.UnpublishedBatch batch = repository.oldestUnpublished(Instant.now().minus(grace))
                        .await().indefinitely();
                if (batch == null) {
                    return;
                }
                send(batch, tenure);
            }
        } catch (NotWriterException e) {
            LOG.infof("relay stopped, the rest left to the writer: %s", e.getMessage());
        }
    }

    /**
     * Publishes a batch again, its publication_version taken and its counted orders read on the write thread right
     * before the send (in write order, ImportEventsService.publishInWriteOrder): no import of this writer commits in
     * between, and the read is fenced as an import's write is ({@link SingleWriter#inTransaction}), so no other
     * writer's import commits in between either. Of the relay's publication and an import's of the same event, the one
     * reading the newer state then carries the greater version, which consumers keep. Strikes the batch off once the
     * broker acknowledged it. Blocking; throws {@link NotWriterException} once {@code tenure} has ended.
     */
    private void send(IdentityRepository.UnpublishedBatch batch, WriterLock.Tenure tenure) {
        importService.publishInWriteOrder(() -> writer.inTransaction(tenure, connection -> events(connection, batch)),
                batch.id());
    }

    /**
     * The batch's events with their counted orders as stored now, under a publication_version taken before they are
     * read: greater than that of every publication whose state was read before.
     */
    private Uni<List<MemberEvent>> events(SqlConnection connection, IdentityRepository.UnpublishedBatch batch) {
        return repository.nextPublicationVersion(connection).flatMap(version -> countedOrders.redirected(connection,
                batch.events().stream().map(EventRow::source).toList(),
                batch.events().stream().map(EventRow::eventId).toList(), List.of(), List.of())
                .map(found -> events(batch, version, found)));
    }

    private static List<MemberEvent> events(IdentityRepository.UnpublishedBatch batch, long version,
            List<CountedOrderRepository.Redirected> found) {
        // the order each event naming one with a flagged line applies to, as stored now (CountedOrders)
        Map<String, CountedOrderRepository.Redirected> counted = new HashMap<>();
        found.forEach(redirected -> counted.put(redirected.reference(), redirected));
        List<MemberEvent> events = new ArrayList<>(batch.events().size());
        for (EventRow row : batch.events()) {
            try {
                CountedOrderRepository.Redirected redirected = counted.get(row.reference());
                // one with a counted order under the member holding it now, as an import publishes it again
                // (CountedOrders.apply): the same key, so the two stay in the order they were sent
                String member = redirected != null ? redirected.currentMemberId()
                        : row.memberId() == null ? "" : row.memberId();
                // never_counted stays unset: a stored duplicate may be a line retracted after it was published
                // as counted, and consumers keeping one key too many is harmless
                events.add(CountedOrders.withCountedOrder(MemberEvent.newBuilder().setMemberId(member)
                        .setEvent(ChannelEvent.parseFrom(row.payload())).setDuplicateOrder(row.duplicateOf() != null)
                        .setPublicationVersion(version), counted).build());
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                LOG.errorf("stored event %s/%s does not parse: %s", row.source(), row.eventId(), e.getMessage());
            }
        }
        LOG.infof("republishing %d events that Kafka never acknowledged", events.size());
        return events;
    }
}
