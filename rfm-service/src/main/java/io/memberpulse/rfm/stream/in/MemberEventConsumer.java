package io.memberpulse.rfm.stream.in;

import io.memberpulse.proto.kafka.RecordBatches;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.rfm.RecomputeRfmService;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * member.events, a batch at a time, in order; recording is idempotent on source + event_id. A batch's
 * offsets are committed only after its rows are written, cached and its changes published.
 */
@ApplicationScoped
class MemberEventConsumer {
    static final String CHANNEL = "member-events";
    private static final Logger LOG = Logger.getLogger(MemberEventConsumer.class);

    private final RecomputeRfmService service;

    MemberEventConsumer(RecomputeRfmService service) {
        this.service = service;
    }

    @Incoming(CHANNEL)
    Uni<Void> consume(KafkaRecordBatch<String, MemberEvent> batch) {
        // Recording blocks (batched SQL, one recomputation at a time): keep it off the event loop. The next
        // batch is taken once this one's rows are written; it is acknowledged once they are cached and published.
        return RecordBatches.consumeInStages(batch, event -> null, events -> Uni.createFrom().item(() -> service.record(events))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool()), LOG, "member event");
    }
}
