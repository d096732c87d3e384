package io.memberpulse.identity;

import io.memberpulse.identity.store.EventRow;
import io.memberpulse.identity.store.IdentityRepository;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The outbox relay: events stored but never acknowledged by Kafka (a broker outage during an
 * import) are published again, and so are queued member.merges changes. Consumers are idempotent on source + event_id, so a repeat is harmless.
 */
@ApplicationScoped
public class UnpublishedEventRelay {
    private static final Logger LOG = Logger.getLogger(UnpublishedEventRelay.class);
    private static final Duration GRACE = Duration.ofSeconds(30);

    private final IdentityRepository repository;
    private final ImportEventsService importService;
    private final IdentityChanges changes;

    public UnpublishedEventRelay(IdentityRepository repository, ImportEventsService importService,
            IdentityChanges changes) {
        this.repository = repository;
        this.importService = importService;
        this.changes = changes;
    }

    @Scheduled(every = "15s", delayed = "15s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void relay() {
        int republished = changes.publishPending();
        if (republished > 0) {
            LOG.infof("published %d member.merges changes left queued", republished);
        }
        for (int batches = 0; batches < 20; batches++) {
            IdentityRepository.UnpublishedBatch batch = repository.oldestUnpublished(Instant.now().minus(GRACE))
                    .await().indefinitely();
            if (batch == null) {
                return;
            }
            List<MemberEvent> events = new ArrayList<>(batch.events().size());
            for (EventRow row : batch.events()) {
                try {
                    // never_counted stays unset: a stored duplicate may be a line retracted after it was published
                    // as counted, and consumers keeping one key too many is harmless
                    events.add(MemberEvent.newBuilder().setMemberId(row.memberId() == null ? "" : row.memberId())
                            .setEvent(ChannelEvent.parseFrom(row.payload())).setDuplicateOrder(row.duplicateOf() != null)
                            .build());
                } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                    LOG.errorf("stored event %s/%s does not parse: %s", row.source(), row.eventId(), e.getMessage());
                }
            }
            LOG.infof("republishing %d events that Kafka never acknowledged", events.size());
            importService.publishAndRecord(events, batch.id());
        }
    }
}
